// A Java group consumer (kafka-clients) with enable.metrics.push on, as Brook's tests run it against
// Brook's broker: polls its topic for a while (pushing on its interval), prints its client
// instance id and the records it read, and closes.
//   java TelemetryConsumer BOOTSTRAP TOPIC GROUP RUN_MS

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

public class TelemetryConsumer {
    public static void main(String[] args) {
        Properties props = new Properties();
        props.put("bootstrap.servers", args[0]);
        props.put("client.id", "java-telemetry-consumer");
        props.put("group.id", args[2]);
        props.put("auto.offset.reset", "earliest");
        props.put("enable.metrics.push", "true");
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", StringDeserializer.class.getName());
        long until = System.currentTimeMillis() + Long.parseLong(args[3]);
        int read = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(args[1]));
            while (System.currentTimeMillis() < until) read += consumer.poll(Duration.ofMillis(100)).count();
            System.out.println("instance " + consumer.clientInstanceId(Duration.ofSeconds(10)));
        }
        System.out.println("read " + read);
    }
}
