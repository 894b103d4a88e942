// Prints the metadata quorum as Java kafka-clients' Admin.describeMetadataQuorum reads it, as one
// JSON line: leader, epoch, high watermark, and per voter its id, whether it has a directory id,
// its log end offset and fetch times (-1 when absent).
//   java -cp 'LIBS/*' DescribeQuorum.java BOOTSTRAP
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.common.Uuid;

public class DescribeQuorum {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    try (Admin admin = Admin.create(props)) {
      QuorumInfo q = admin.describeMetadataQuorum().quorumInfo().get();
      List<String> voters = new ArrayList<>();
      for (QuorumInfo.ReplicaState v : q.voters()) {
        voters.add(String.format(
            "{\"id\":%d,\"directoryId\":%b,\"logEndOffset\":%d,\"lastFetch\":%d,\"lastCaughtUp\":%d}",
            v.replicaId(),
            !v.replicaDirectoryId().equals(Uuid.ZERO_UUID),
            v.logEndOffset(),
            v.lastFetchTimestamp().orElse(-1),
            v.lastCaughtUpTimestamp().orElse(-1)));
      }
      System.out.printf(
          "{\"leaderId\":%d,\"leaderEpoch\":%d,\"highWatermark\":%d,\"voters\":[%s],\"observers\":%d,\"nodes\":%s}%n",
          q.leaderId(), q.leaderEpoch(), q.highWatermark(), String.join(",", voters),
          q.observers().size(), q.nodes().keySet());
    }
  }
}
