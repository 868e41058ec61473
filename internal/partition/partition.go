// Package partition computes where other clients put a key, from their
// published algorithms and nothing of kafka-go, so tests and exercise checks
// can hold kafka-go's balancers and a learner's program against them.
package partition

// JavaPartition is the Java client's partition for a key (its
// BuiltInPartitioner.partitionForKey): Utils.toPositive(Utils.murmur2(key))
// % numPartitions. Kafka Streams places keys the same way.
func JavaPartition(key []byte, numPartitions int) int {
	return int(JavaMurmur2(key)&0x7fffffff) % numPartitions // toPositive: number & 0x7fffffff
}

// JavaMurmur2 is org.apache.kafka.common.utils.Utils.murmur2, written as the
// Java is: int arithmetic that wraps, >>> an unsigned shift.
func JavaMurmur2(data []byte) int32 {
	length := int32(len(data))
	const seed = int32(-1756908916) // 0x9747b28c as a Java int
	const m = int32(0x5bd1e995)
	const r = 24
	h := seed ^ length
	length4 := length / 4
	for i := int32(0); i < length4; i++ {
		i4 := i * 4
		k := int32(data[i4]) + int32(data[i4+1])<<8 + int32(data[i4+2])<<16 + int32(data[i4+3])<<24
		k *= m
		k ^= int32(uint32(k) >> r)
		k *= m
		h *= m
		h ^= k
	}
	rest := length & ^int32(3)
	switch length % 4 { // falls through, as Java's switch does
	case 3:
		h ^= int32(data[rest+2]) << 16
		fallthrough
	case 2:
		h ^= int32(data[rest+1]) << 8
		fallthrough
	case 1:
		h ^= int32(data[rest])
		h *= m
	}
	h ^= int32(uint32(h) >> 13)
	h *= m
	h ^= int32(uint32(h) >> 15)
	return h
}

// LibrdkafkaPartition is librdkafka's "consistent" partition for a key
// (rd_kafka_msg_partitioner_consistent: rd_crc32(key) % partition_cnt),
// which its default partitioner, consistent_random, uses for every key that
// is not empty.
func LibrdkafkaPartition(key []byte, numPartitions int) int {
	return int(CRC32(key) % uint32(numPartitions))
}

// CRC32 is the CRC-32 librdkafka's rdcrc32.h specifies (width 32, poly
// 0x04c11db7, reflected in and out, xor-in and xor-out 0xffffffff), bit by
// bit: 0xedb88320 is the poly reflected.
func CRC32(data []byte) uint32 {
	crc := uint32(0xffffffff)
	for _, b := range data {
		crc ^= uint32(b)
		for i := 0; i < 8; i++ {
			if crc&1 == 1 {
				crc = crc>>1 ^ 0xedb88320
			} else {
				crc >>= 1
			}
		}
	}
	return crc ^ 0xffffffff
}

// SaramaPartition is the partition of Sarama's hash partitioner (its
// default): FNV-1a of the key as a signed 32-bit number, modulo the
// partitions, made positive.
func SaramaPartition(key []byte, numPartitions int) int {
	p := int32(FNV1a(key)) % int32(numPartitions)
	if p < 0 {
		p = -p
	}
	return int(p)
}

// FNV1a is the 32-bit FNV-1a hash: offset basis 2166136261, prime 16777619,
// xor then multiply.
func FNV1a(data []byte) uint32 {
	h := uint32(2166136261)
	for _, b := range data {
		h ^= uint32(b)
		h *= 16777619
	}
	return h
}
