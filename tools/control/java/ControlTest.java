// A test of Java kafka-clients 4.1.1 against Brook's broker, driven through the control API.
//   javac -cp 'LIBS/*' -d OUT BrookControl.java ControlTest.java && java -cp "OUT:LIBS/*" ControlTest
// Prints "PASS name" per test and exits 1 on the first failure.
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class ControlTest {
  static void check(boolean ok, String what) {
    if (!ok) throw new AssertionError(what);
  }

  /** A producer recovers from injected errors and a dropped response; a consumer group recovers from a closed Fetch connection. */
  static void clientsRecoverFromInjectedFaults(BrookControl.Broker broker) throws Exception {
    BrookControl control = broker.control;
    Map<String, Object> fault = control.inject(Map.of(
        "kind", "error", "apiKey", "Produce", "errorCode", "NOT_LEADER_OR_FOLLOWER", "count", 3));
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrapServers);
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    p.put("retry.backoff.ms", "20");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < 5; i++) producer.send(new ProducerRecord<>("orders", "k" + i, "v" + i)).get();
    }
    long id = ((Double) fault.get("id")).longValue();
    check(((Double) control.fault(id).get("hits")).intValue() == 3, "the error fault fired 3 times");
    control.await(Map.of("kind", "offset", "topic", "orders", "partition", 0, "offset", 5, "timeoutMs", 10000));

    control.inject(Map.of("kind", "close", "apiKey", "Fetch", "count", 1));
    Properties c = new Properties();
    c.put("bootstrap.servers", broker.bootstrapServers);
    c.put("group.id", "java-group");
    c.put("auto.offset.reset", "earliest");
    c.put("key.deserializer", StringDeserializer.class.getName());
    c.put("value.deserializer", StringDeserializer.class.getName());
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of("orders"));
      for (int i = 0; i < 300 && values.size() < 5; i++) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) values.add(r.value());
      }
      check(values.equals(List.of("v0", "v1", "v2", "v3", "v4")), "read " + values);
      Map<String, Object> stable = control.await(Map.of(
          "kind", "group", "groupId", "java-group", "members", 1, "timeoutMs", 10000));
      check(stable.get("observed").equals(Map.of("state", "Stable", "members", 1.0)), "stable " + stable);
    }
  }

  /** Refusals carry their status; reset leaves only the starting topics. */
  static void refusalsAndReset(BrookControl.Broker broker) {
    BrookControl control = broker.control;
    try {
      control.createTopic("orders", Map.of());
      check(false, "creating an existing topic is refused");
    } catch (BrookControl.Error e) {
      check(e.status == 409, "409, got " + e.status);
    }
    try {
      control.await(Map.of("kind", "transaction", "transactionalId", "none", "timeoutMs", 10));
      check(false, "the wait times out");
    } catch (BrookControl.Error e) {
      check(e.status == 408, "408, got " + e.status);
    }
    control.createTopic("scratch", Map.of("partitions", 2));
    control.reset();
    try {
      control.topic("scratch");
      check(false, "scratch is gone after reset");
    } catch (BrookControl.Error e) {
      check(e.status == 404, "404, got " + e.status);
    }
    check(((Double) control.records("orders", 0, "").get("highWatermark")).intValue() == 0, "orders is empty");
  }

  public static void main(String[] args) throws Exception {
    try (BrookControl.Broker broker = BrookControl.startBroker("--topic", "orders:1")) {
      clientsRecoverFromInjectedFaults(broker);
      System.out.println("PASS clientsRecoverFromInjectedFaults");
      broker.control.reset();
      refusalsAndReset(broker);
      System.out.println("PASS refusalsAndReset");
    } catch (Throwable e) {
      e.printStackTrace();
      System.exit(1);
    }
  }
}
