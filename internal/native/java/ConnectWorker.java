// ConnectWorker starts a Kafka Connect worker in distributed mode, as
// Apache Kafka's bin/connect-distributed.sh does, and stops it when its
// standard input closes: lesson 21 holds it, so the worker ends with the
// lesson, however the lesson ends (kafka-native up --connect runs it
// detached instead). Run it as
//   java -cp 'JARS/*' ConnectWorker.java worker.properties
import java.io.IOException;
import org.apache.kafka.connect.cli.ConnectDistributed;

public class ConnectWorker {
    public static void main(String[] args) {
        // kafka-native runs it detached (-Dkafka.lessons.detached=true),
        // with no standard input to watch: SIGTERM stops it then.
        if (!Boolean.getBoolean("kafka.lessons.detached")) {
            Thread parent = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                    }
                } catch (IOException ignored) {
                }
                System.exit(0); // runs Connect's shutdown hook, which stops the worker
            });
            parent.setDaemon(true);
            parent.start();
        }
        ConnectDistributed.main(args);
    }
}
