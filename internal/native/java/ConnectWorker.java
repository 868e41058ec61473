// ConnectWorker starts a Kafka Connect worker in distributed mode, as
// Apache Kafka's bin/connect-distributed.sh does, and stops it when its
// standard input closes: lesson 21 holds it, so the worker ends with the
// lesson, however the lesson ends. Run it as
//   java -cp 'JARS/*' ConnectWorker.java worker.properties
import java.io.IOException;
import org.apache.kafka.connect.cli.ConnectDistributed;

public class ConnectWorker {
    public static void main(String[] args) {
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
        ConnectDistributed.main(args);
    }
}
