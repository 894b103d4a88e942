// A Java kafka-clients 4.1.1 consumer-group member, driven by a test over stdin/stdout.
//   java -cp 'LIBS/*' GroupMember.java BOOTSTRAP TOPIC GROUP ASSIGNOR
// ASSIGNOR is range, roundrobin or cooperative-sticky (the classic protocol), or uniform or
// server-range (the consumer protocol of KIP-848, with that server-side assignor). Prints one JSON
// line per event:
//   {"event":"assigned","partitions":[...]}   the whole assignment, after every rebalance
//   {"event":"done","records":["P:OFFSET:VALUE",...]}   once "stop" is read from stdin
// Offsets are committed synchronously after every poll that returned records.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

public class GroupMember {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0], topic = args[1], group = args[2], assignor = args[3];
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", group);
    p.put("auto.offset.reset", "earliest");
    p.put("enable.auto.commit", "false");
    if (assignor.equals("uniform") || assignor.equals("server-range")) {
      // The broker assigns, and sets the session and heartbeat times.
      p.put("group.protocol", "consumer");
      p.put("group.remote.assignor", assignor.equals("uniform") ? "uniform" : "range");
    } else {
      String strategy = switch (assignor) {
        case "range" -> "org.apache.kafka.clients.consumer.RangeAssignor";
        case "roundrobin" -> "org.apache.kafka.clients.consumer.RoundRobinAssignor";
        case "cooperative-sticky" -> "org.apache.kafka.clients.consumer.CooperativeStickyAssignor";
        default -> throw new IllegalArgumentException("unknown assignor " + assignor);
      };
      p.put("partition.assignment.strategy", strategy);
      p.put("session.timeout.ms", "10000");
      p.put("heartbeat.interval.ms", "500");
    }
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    AtomicBoolean stop = new AtomicBoolean(false);
    Thread stdin = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(System.in))) {
        String line;
        while ((line = r.readLine()) != null) if (line.trim().equals("stop")) break;
      } catch (Exception ignored) {
        // A closed stdin stops the member too.
      }
      stop.set(true);
    });
    stdin.setDaemon(true);
    stdin.start();
    List<String> records = new ArrayList<>();
    TreeSet<Integer> assigned = new TreeSet<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
        public void onPartitionsRevoked(Collection<TopicPartition> parts) {
          for (TopicPartition tp : parts) assigned.remove(tp.partition());
          report(assigned);
        }

        public void onPartitionsAssigned(Collection<TopicPartition> parts) {
          for (TopicPartition tp : parts) assigned.add(tp.partition());
          report(assigned);
        }

        public void onPartitionsLost(Collection<TopicPartition> parts) {
          onPartitionsRevoked(parts);
        }
      });
      long deadline = System.currentTimeMillis() + 120_000;
      while (!stop.get() && System.currentTimeMillis() < deadline) {
        var batch = consumer.poll(Duration.ofMillis(100));
        for (ConsumerRecord<String, String> r : batch) {
          records.add(r.partition() + ":" + r.offset() + ":" + r.value());
        }
        if (!batch.isEmpty()) consumer.commitSync();
      }
    }
    StringBuilder out = new StringBuilder("{\"event\":\"done\",\"records\":[");
    for (int i = 0; i < records.size(); i++) {
      if (i > 0) out.append(',');
      out.append('"').append(records.get(i)).append('"');
    }
    System.out.println(out.append("]}"));
    System.out.flush();
  }

  static void report(TreeSet<Integer> assigned) {
    StringBuilder out = new StringBuilder("{\"event\":\"assigned\",\"partitions\":[");
    boolean first = true;
    for (int part : assigned) {
      if (!first) out.append(',');
      out.append(part);
      first = false;
    }
    System.out.println(out.append("]}"));
    System.out.flush();
  }
}
