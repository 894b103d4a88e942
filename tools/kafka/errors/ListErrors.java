// Prints Kafka's error table from kafka-clients itself, one error a line:
// code, name, whether retriable (its exception is a RetriableException), and Errors.message(),
// tab-separated. tools/kafka/error_table.ts writes codec/error_table.ts from it.
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.protocol.Errors;

public class ListErrors {
  public static void main(String[] args) {
    for (Errors e : Errors.values()) {
      boolean retriable = e.exception() instanceof RetriableException;
      System.out.println(e.code() + "\t" + e.name() + "\t" + retriable + "\t" + e.message());
    }
  }
}
