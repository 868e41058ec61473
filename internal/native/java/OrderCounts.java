// OrderCounts is a Kafka Streams application: it counts the orders of each
// item. Lesson 20 runs it next to the course's broker, in instances started
// and stopped by the lesson, and looks from Go at what it made. Run it as
//   java -cp 'JARS/*' OrderCounts.java app.properties ORDERS COUNTS
// (Java 11 and later compile a one-file program as they start it).
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileInputStream;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

public class OrderCounts {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties(); // application.id, bootstrap.servers, state.dir...
        try (FileInputStream in = new FileInputStream(args[0])) {
            props.load(in);
        }
        String orders = args[1], counts = args[2];
        ObjectMapper json = new ObjectMapper();

        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(orders, Consumed.with(Serdes.String(), Serdes.String()))
            // The item of each order, {"item": "pizza", ...}; what is not an order is skipped.
            .flatMapValues(order -> {
                try {
                    return List.of(json.readTree(order).get("item").asText());
                } catch (Exception notAnOrder) {
                    return List.<String>of();
                }
            })
            // Keyed by item from now on: the records go through the topic <application.id>-by-item-repartition.
            .groupBy((user, item) -> item, Grouped.with("by-item", Serdes.String(), Serdes.String()))
            // A count per item, kept in the state store "counts" and its topic <application.id>-counts-changelog.
            .count(Materialized.as("counts"))
            // Every new count, to the output topic: item -> count (8 bytes, big-endian).
            .toStream()
            .to(counts, Produced.with(Serdes.String(), Serdes.Long()));

        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> { // SIGTERM, Ctrl-C
            streams.close();
            closed.countDown();
        }));
        streams.start();
        closed.await();
    }
}
