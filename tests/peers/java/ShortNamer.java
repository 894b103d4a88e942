// Kafka's own KerberosShortNamer on lines of stdin: "RULES<TAB>PRINCIPAL" (RULES comma-separated,
// realm BROOK.TEST as the default). Prints the short name, or "error" when Kafka refuses it.
//   java -cp 'libs/*' ShortNamer.java < cases
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.Arrays;
import org.apache.kafka.common.security.kerberos.KerberosName;
import org.apache.kafka.common.security.kerberos.KerberosShortNamer;

public class ShortNamer {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    for (String line; (line = in.readLine()) != null; ) {
      String[] parts = line.split("\t", 2);
      try {
        KerberosShortNamer namer =
            KerberosShortNamer.fromUnparsedRules("BROOK.TEST", Arrays.asList(parts[0].split(",")));
        System.out.println(namer.shortName(KerberosName.parse(parts[1])));
      } catch (Exception e) {
        System.out.println("error");
      }
    }
  }
}
