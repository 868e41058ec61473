// OrderCounts is a Kafka Streams application: it counts the orders of each
// item. Lesson 20 runs it next to the course's broker, in instances started
// and stopped by the lesson, and looks from Go at what it made. Run it as
//   java -cp 'JARS/*' OrderCounts.java app.properties ORDERS COUNTS
// (Java 11 and later compile a one-file program as they start it). It runs
// until its standard input closes, or SIGTERM.
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileInputStream;
import java.io.IOException;
import java.time.Duration;
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
            // The item of each order: {"item": "Pad Thai", ...}.
            .flatMapValues(order -> {
                try {
                    return List.of(json.readTree(order).get("item").asText());
                } catch (Exception notAnOrder) {
                    return List.<String>of(); // skipped
                }
            })
            // Keyed by item: through the topic <app id>-by-item-repartition.
            .groupBy((key, item) -> item,
                Grouped.with("by-item", Serdes.String(), Serdes.String()))
            // A count per item: in the state store "counts", backed by the
            // topic <app id>-counts-changelog.
            .count(Materialized.as("counts"))
            // Counts to the output topic, item -> count (a long): each new
            // one when the cache is off (statestore.cache.max.bytes=0).
            .toStream()
            .to(counts, Produced.with(Serdes.String(), Serdes.Long()));

        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        CountDownLatch stop = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.ERROR) { // e.g. a topic is missing
                stop.countDown();
            }
        });
        // SIGTERM and Ctrl-C: close, which commits what was processed.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> streams.close(Duration.ofSeconds(20))));
        // The lesson that started this instance holds its standard input:
        // when the lesson ends, however it ends, so does the instance.
        Thread parent = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                }
            } catch (IOException ignored) {
            }
            stop.countDown();
        });
        parent.setDaemon(true);
        parent.start();
        streams.start();
        stop.await();
        System.exit(streams.state() == KafkaStreams.State.ERROR ? 1 : 0);
    }
}
