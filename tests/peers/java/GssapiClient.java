// Kafka's Java client over SASL GSSAPI (Krb5LoginModule with a keytab; the KDC from
// -Djava.security.krb5.conf): produces ten records to a topic and reads them back.
// Prints "produced 10" and "consumed N", or the failure's class and message.
//   java -cp 'libs/*' GssapiClient.java BOOTSTRAP KEYTAB PRINCIPAL TOPIC
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class GssapiClient {
  public static void main(String[] args) throws Exception {
    String topic = args[3];
    Properties common = new Properties();
    common.put("bootstrap.servers", args[0]);
    common.put("security.protocol", "SASL_PLAINTEXT");
    common.put("sasl.mechanism", "GSSAPI");
    common.put("sasl.kerberos.service.name", "kafka");
    common.put("sasl.jaas.config", "com.sun.security.auth.module.Krb5LoginModule required"
        + " useKeyTab=true storeKey=true useTicketCache=false keyTab=\"" + args[1]
        + "\" principal=\"" + args[2] + "\";");
    common.put("request.timeout.ms", "10000");
    try {
      Properties p = (Properties) common.clone();
      p.put("key.serializer", StringSerializer.class.getName());
      p.put("value.serializer", StringSerializer.class.getName());
      p.put("max.block.ms", "20000");
      p.put("delivery.timeout.ms", "20000");
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
        for (int i = 0; i < 10; i++) producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
      }
      System.out.println("produced 10");
      Properties c = (Properties) common.clone();
      c.put("key.deserializer", StringDeserializer.class.getName());
      c.put("value.deserializer", StringDeserializer.class.getName());
      c.put("enable.auto.commit", "false");
      c.put("auto.offset.reset", "earliest");
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
        TopicPartition tp = new TopicPartition(topic, 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        int n = 0;
        long deadline = System.currentTimeMillis() + 20000;
        while (n < 10 && System.currentTimeMillis() < deadline) n += consumer.poll(Duration.ofMillis(200)).count();
        System.out.println("consumed " + n);
      }
    } catch (Exception e) {
      Throwable t = e;
      while (t.getCause() != null && !(t instanceof AuthenticationException) && !(t instanceof AuthorizationException)) {
        t = t.getCause();
      }
      System.out.println(t.getClass().getSimpleName() + ": " + t.getMessage());
    }
  }
}
