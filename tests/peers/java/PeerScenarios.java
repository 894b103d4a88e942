// The conformance scenarios with Java kafka-clients 4.1.1 (Kafka's reference client):
//   java -cp 'LIBS/*' PeerScenarios.java BOOTSTRAP PREFIX
// Prints one JSON line: admin, metadata, compression, idempotent and group results, as the other
// peers' drivers do (tests/peers/scenarios_test.ts compares them with what Kafka promises).
import java.time.Duration;
import java.util.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.*;

public class PeerScenarios {
  static String bootstrap, prefix;

  static Properties props(String... kv) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    for (int i = 0; i < kv.length; i += 2) p.put(kv[i], kv[i + 1]);
    return p;
  }

  static KafkaProducer<String, String> producer(String... kv) {
    return new KafkaProducer<>(props(kv), new StringSerializer(), new StringSerializer());
  }

  static KafkaConsumer<String, String> consumer(String... kv) {
    return new KafkaConsumer<>(props(kv), new StringDeserializer(), new StringDeserializer());
  }

  static void create(Admin admin, String topic, int partitions) throws Exception {
    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
  }

  /** Every value in the topic's partition 0, read from the beginning until `count` came. */
  static List<String> readAll(String topic, int count) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> c = consumer()) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long deadline = System.currentTimeMillis() + 20000;
      while (values.size() < count && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) values.add(r.value());
      }
    }
    return values;
  }

  static String json(Object o) {
    if (o instanceof String s) return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    if (o instanceof Map<?, ?> m) {
      StringJoiner j = new StringJoiner(",", "{", "}");
      m.forEach((k, v) -> j.add(json(k.toString()) + ":" + json(v)));
      return j.toString();
    }
    if (o instanceof Collection<?> c) {
      StringJoiner j = new StringJoiner(",", "[", "]");
      c.forEach(v -> j.add(json(v)));
      return j.toString();
    }
    return String.valueOf(o);
  }

  public static void main(String[] args) throws Exception {
    bootstrap = args[0];
    prefix = args[1];
    Map<String, Object> out = new LinkedHashMap<>();
    try (Admin admin = Admin.create(props())) {
      String topic = prefix + "-admin";
      create(admin, topic, 3);
      int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
          .partitions().size();
      admin.deleteTopics(List.of(topic)).all().get();
      boolean deleted = false;
      for (int i = 0; i < 50 && !deleted; i++) {
        deleted = !admin.listTopics().names().get().contains(topic);
        if (!deleted) Thread.sleep(100);
      }
      out.put("admin", Map.of("partitions", partitions, "deleted", deleted));
      out.put("metadata", Map.of("brokers", admin.describeCluster().nodes().get().size()));

      Map<String, Object> compression = new LinkedHashMap<>();
      for (String codec : List.of("none", "gzip", "snappy", "lz4", "zstd")) {
        String t = prefix + "-c-" + codec;
        create(admin, t, 1);
        try (KafkaProducer<String, String> p = producer("compression.type", codec, "linger.ms", "5")) {
          for (int i = 0; i < 5; i++) p.send(new ProducerRecord<>(t, codec + "-" + i));
        }
        List<String> read = readAll(t, 5);
        compression.put(codec, read.equals(List.of(codec + "-0", codec + "-1", codec + "-2",
            codec + "-3", codec + "-4")) ? 5 : read.size());
      }
      out.put("compression", compression);

      String idem = prefix + "-idem";
      create(admin, idem, 1);
      try (KafkaProducer<String, String> p = producer("enable.idempotence", "true", "acks", "all")) {
        for (int i = 0; i < 20; i++) p.send(new ProducerRecord<>(idem, "idem-" + i));
      }
      List<String> read = readAll(idem, 20);
      out.put("idempotent", Map.of("read", read.size(), "duplicates",
          read.size() - new HashSet<>(read).size()));

      out.put("group", group(admin));
    }
    System.out.println(json(out));
  }

  /** Two members of one group share four partitions; every record is read once and committed. */
  static Map<String, Object> group(Admin admin) throws Exception {
    String topic = prefix + "-group", groupId = prefix + "-g";
    create(admin, topic, 4);
    try (KafkaProducer<String, String> p = producer()) {
      for (int i = 0; i < 40; i++) p.send(new ProducerRecord<>(topic, i % 4, null, "g-" + i));
    }
    String[] kv = {"group.id", groupId, "auto.offset.reset", "earliest", "enable.auto.commit", "false"};
    List<String> seen = new ArrayList<>();
    int before;
    try (KafkaConsumer<String, String> a = consumer(kv); KafkaConsumer<String, String> b = consumer(kv)) {
      a.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + 30000;
      while (a.assignment().isEmpty() && System.currentTimeMillis() < deadline) {
        pollInto(a, seen, Duration.ofMillis(100));
      }
      before = a.assignment().size();
      b.subscribe(List.of(topic));
      while ((b.assignment().isEmpty() || a.assignment().size() + b.assignment().size() != 4
          || seen.size() < 40) && System.currentTimeMillis() < deadline) {
        pollInto(a, seen, Duration.ofMillis(50));
        pollInto(b, seen, Duration.ofMillis(50));
      }
      List<Integer> split = new ArrayList<>(List.of(a.assignment().size(), b.assignment().size()));
      Collections.sort(split);
      long committed = 0;
      for (var e : admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get()
          .values()) {
        committed += e.offset();
      }
      return Map.of("before", before, "split", split, "read", seen.size(), "duplicates",
          seen.size() - new HashSet<>(seen).size(), "committed", committed);
    }
  }

  static void pollInto(KafkaConsumer<String, String> c, List<String> seen, Duration d) {
    ConsumerRecords<String, String> records = c.poll(d);
    for (ConsumerRecord<String, String> r : records) seen.add(r.value());
    if (!records.isEmpty()) c.commitSync();
  }
}
