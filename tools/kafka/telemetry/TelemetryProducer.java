// A Java producer (kafka-clients) with enable.metrics.push on, as Brook's tests run it against
// Brook's broker: sends a few records, prints its client instance id, keeps running for a while so
// that it pushes on its interval, and closes (its terminating push).
//   java TelemetryProducer BOOTSTRAP TOPIC RECORDS RUN_MS

import java.time.Duration;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

public class TelemetryProducer {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", args[0]);
        props.put("client.id", "java-telemetry");
        props.put("enable.metrics.push", "true");
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        int records = Integer.parseInt(args[2]);
        long runMs = Long.parseLong(args[3]);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < records; i++) producer.send(new ProducerRecord<>(args[1], "k" + i, "v" + i));
            producer.flush();
            System.out.println("instance " + producer.clientInstanceId(Duration.ofSeconds(10)));
            Thread.sleep(runMs);
        }
        System.out.println("closed");
    }
}
