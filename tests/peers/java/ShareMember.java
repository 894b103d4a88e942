// A Java kafka-clients 4.1.1 share-group member (KIP-932), driven by a test over stdin/stdout.
//   java -cp 'LIBS/*' ShareMember.java BOOTSTRAP TOPIC GROUP MODE
// MODE says how records are acknowledged (explicitly, then committed with commitSync):
//   accept          every record is accepted
//   release-first   a record is released on its first delivery, accepted on the next
//   reject-odd      records with an odd value number are rejected, the others accepted
// Prints one JSON line per event:
//   {"event":"received","count":N}                     the records accepted so far
//   {"event":"done","records":["P:OFFSET:VALUE:DELIVERY_COUNT",...]}   every record delivered,
//                                                      once "stop" is read from stdin
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

public class ShareMember {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0], topic = args[1], group = args[2], mode = args[3];
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", group);
    p.put("share.acknowledgement.mode", "explicit");
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
    List<String> delivered = new ArrayList<>();
    int accepted = 0;
    try (KafkaShareConsumer<String, String> consumer = new KafkaShareConsumer<>(p)) {
      consumer.subscribe(List.of(topic));
      while (!stop.get()) {
        var records = consumer.poll(Duration.ofMillis(100));
        if (records.isEmpty()) continue;
        for (ConsumerRecord<String, String> r : records) {
          short count = r.deliveryCount().orElse((short) -1);
          delivered.add(r.partition() + ":" + r.offset() + ":" + r.value() + ":" + count);
          AcknowledgeType type = AcknowledgeType.ACCEPT;
          if (mode.equals("release-first") && count == 1) type = AcknowledgeType.RELEASE;
          if (mode.equals("reject-odd") && Integer.parseInt(r.value().substring(1)) % 2 == 1) {
            type = AcknowledgeType.REJECT;
          }
          consumer.acknowledge(r, type);
          if (type == AcknowledgeType.ACCEPT) accepted++;
        }
        consumer.commitSync();
        System.out.println("{\"event\":\"received\",\"count\":" + accepted + "}");
        System.out.flush();
      }
    }
    StringBuilder out = new StringBuilder("{\"event\":\"done\",\"records\":[");
    for (int i = 0; i < delivered.size(); i++) {
      if (i > 0) out.append(',');
      out.append('"').append(delivered.get(i)).append('"');
    }
    System.out.println(out.append("]}"));
    System.out.flush();
  }
}
