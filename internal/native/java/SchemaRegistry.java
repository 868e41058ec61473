// SchemaRegistry starts Apicurio Registry (its Quarkus application, data in
// memory) with the settings of a properties file, and stops it when its
// standard input closes: lesson 22 holds it, so the registry ends with the
// lesson, however the lesson ends. Run it as
//   java -cp 'REGISTRY/*' SchemaRegistry.java registry.properties
import java.io.FileInputStream;
import java.io.IOException;
import java.util.Properties;

public class SchemaRegistry {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties(); // quarkus.http.host, quarkus.http.port...
        try (FileInputStream in = new FileInputStream(args[0])) {
            props.load(in);
        }
        props.forEach((k, v) -> System.setProperty((String) k, (String) v));
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
        io.apicurio.registry.RegistryQuarkusMain.main(new String[0]);
    }
}
