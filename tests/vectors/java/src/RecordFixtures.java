import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.record.TimestampType;

/**
 * Record batches written and read by Kafka's own record classes.
 * write DIR: writes NAME.bin fixtures (every compression, magic 0/1/2, a transaction marker).
 * read FILE...: reads each file as Kafka's client would (ensureValid on every batch) and prints one
 * line per record: offset, timestamp, key, value, headers (text; "null" for null).
 */
public class RecordFixtures {
  static final String[] CODECS = {"none", "gzip", "snappy", "lz4", "zstd"};

  static Compression compression(String name) {
    switch (name) {
      case "gzip": return Compression.gzip().build();
      case "snappy": return Compression.snappy().build();
      case "lz4": return Compression.lz4().build();
      case "zstd": return Compression.zstd().build();
      default: return Compression.NONE;
    }
  }

  static SimpleRecord[] records(int n, boolean headers) {
    SimpleRecord[] out = new SimpleRecord[n];
    for (int i = 0; i < n; i++) {
      byte[] key = i % 3 == 0 ? null : ("key-" + i).getBytes(StandardCharsets.UTF_8);
      byte[] value = i % 5 == 4 ? null : ("value " + i + " é ☃ " + "x".repeat(i % 40)).getBytes(StandardCharsets.UTF_8);
      Header[] hs = headers && i % 2 == 0
          ? new Header[] {new RecordHeader("h" + i, ("v" + i).getBytes(StandardCharsets.UTF_8)), new RecordHeader("ключ", null)}
          : new Header[0];
      out[i] = new SimpleRecord(1700000000000L + i * 10L, key, value, hs);
    }
    return out;
  }

  public static void main(String[] args) throws Exception {
    if (args[0].equals("write")) {
      Path dir = Paths.get(args[1]);
      Files.createDirectories(dir);
      for (String codec : CODECS) {
        Files.write(dir.resolve("v2_" + codec + ".bin"), bytes(MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V2, 100L,
            compression(codec), TimestampType.CREATE_TIME, 42L, (short) 3, 7, 5, false, records(20, true))));
        for (byte magic : codec.equals("zstd") ? new byte[0] : new byte[] {0, 1}) {
          Files.write(dir.resolve("v" + magic + "_" + codec + ".bin"), bytes(MemoryRecords.withRecords(magic, 100L,
              compression(codec), TimestampType.CREATE_TIME, records(12, false))));
        }
      }
      Files.write(dir.resolve("v2_log_append_time.bin"), bytes(MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V2, 0L,
          Compression.NONE, TimestampType.LOG_APPEND_TIME, -1L, (short) -1, -1, 0, false, records(3, false))));
      Files.write(dir.resolve("v2_transactional.bin"), bytes(MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V2, 10L,
          Compression.NONE, TimestampType.CREATE_TIME, 9L, (short) 1, 0, 2, true, records(4, false))));
      Files.write(dir.resolve("v2_commit_marker.bin"), bytes(MemoryRecords.withEndTransactionMarker(14L, 1700000000000L, 2,
          9L, (short) 1, new EndTransactionMarker(ControlRecordType.COMMIT, 17))));
    } else {
      for (int a = 1; a < args.length; a++) {
        MemoryRecords records = MemoryRecords.readableRecords(ByteBuffer.wrap(Files.readAllBytes(Paths.get(args[a]))));
        StringBuilder sb = new StringBuilder();
        for (RecordBatch batch : records.batches()) {
          batch.ensureValid();
          for (Record r : batch) {
            sb.append(r.offset()).append('\t').append(r.timestamp()).append('\t').append(text(r.key())).append('\t')
                .append(text(r.value()));
            for (Header h : r.headers()) sb.append('\t').append(h.key()).append('=').append(h.value() == null ? "null" : new String(h.value(), StandardCharsets.UTF_8));
            sb.append('\n');
          }
        }
        System.out.print(sb);
      }
    }
  }

  static String text(ByteBuffer b) {
    if (b == null) return "null";
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return new String(out, StandardCharsets.UTF_8);
  }

  static byte[] bytes(MemoryRecords records) {
    ByteBuffer b = records.buffer().duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
