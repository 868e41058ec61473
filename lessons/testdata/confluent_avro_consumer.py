"""Reads lesson 22's Avro orders with Confluent's own Python client and its
AvroDeserializer, which fetches each writer's schema from the registry by the
id in the frame and resolves it against the reader's schema given here.

usage: confluent_avro_consumer.py BROKERS TOPIC REGISTRY_URL COUNT < reader-schema.avsc
prints one JSON line per record: {"offset", "schema_id", "order"}.
"""
import json
import sys

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

brokers, topic, url, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
deserialize = AvroDeserializer(SchemaRegistryClient({"url": url}), schema_str=sys.stdin.read())
consumer = Consumer({"bootstrap.servers": brokers, "group.id": "lesson22-check", "enable.auto.commit": False})
consumer.assign([TopicPartition(topic, 0, 0)])
read = 0
while read < count:
    msg = consumer.poll(10)
    if msg is None:
        sys.exit(f"only {read} of {count} records read")
    if msg.error():
        sys.exit(str(msg.error()))
    order = deserialize(msg.value(), SerializationContext(topic, MessageField.VALUE))
    schema_id = int.from_bytes(msg.value()[1:5], "big")
    print(json.dumps({"offset": msg.offset(), "schema_id": schema_id, "order": order}))
    read += 1
consumer.close()
