// SchemaRegistry starts Apicurio Registry (its Quarkus application, data in
// memory) with the settings of a properties file, and stops it when its
// standard input closes: lesson 22 holds it, so the registry ends with the
// lesson, however the lesson ends, and deletes the properties file's
// folder (this run's own) as it ends. kafka-native up --registry runs it
// detached instead. Run it as
//   java -cp 'REGISTRY/*' SchemaRegistry.java registry.properties
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

public class SchemaRegistry {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties(); // quarkus.http.host, quarkus.http.port...
        try (FileInputStream in = new FileInputStream(args[0])) {
            props.load(in);
        }
        props.forEach((k, v) -> System.setProperty((String) k, (String) v));
        Path folder = new File(args[0]).getAbsoluteFile().toPath().getParent();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> files = Files.walk(folder)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
            }
        }));
        // kafka-native runs it detached (-Dkafka.lessons.detached=true),
        // with no standard input to watch: SIGTERM stops it then.
        if (!Boolean.getBoolean("kafka.lessons.detached")) {
            Thread parent = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                    }
                } catch (IOException ignored) {
                }
                System.exit(0); // runs Quarkus' shutdown hook, which stops the registry
            });
            parent.setDaemon(true);
            parent.start();
        }
        io.apicurio.registry.RegistryQuarkusMain.main(new String[0]);
    }
}
