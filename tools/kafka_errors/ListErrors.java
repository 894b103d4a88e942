import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.errors.RetriableException;
public class ListErrors { public static void main(String[] a) {
  for (Errors e : Errors.values()) {
    boolean r = e.exception() != null && e.exception() instanceof RetriableException;
    System.out.println(e.code() + "\t" + e.name() + "\t" + r);
  }
}}
