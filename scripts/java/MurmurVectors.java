// Prints Java's murmur2 and default key partition for a fixed set of keys, as JSON. Run by
// scripts/murmur2-vectors.ts with the broker's kafka-clients jar on the class path.
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.utils.Utils;

public class MurmurVectors {
  public static void main(String[] args) {
    String[] keys = {"", "a", "ab", "abc", "21", "foobar", "order-1", "customer-42", "product-0007",
        "a-little-bit-long-string", "a-little-bit-longer-string", "ünïcødé-ключ-キー",
        "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"};
    int[] counts = {1, 2, 3, 6, 12, 100};
    StringBuilder out = new StringBuilder("[\n");
    for (int i = 0; i < keys.length; i++) {
      byte[] bytes = keys[i].getBytes(StandardCharsets.UTF_8);
      out.append("  {\"key\": \"").append(keys[i]).append("\", \"murmur2\": ").append(Utils.murmur2(bytes));
      out.append(", \"partitions\": {");
      for (int j = 0; j < counts.length; j++) {
        out.append(j == 0 ? "" : ", ").append('"').append(counts[j]).append("\": ");
        out.append(BuiltInPartitioner.partitionForKey(bytes, counts[j]));
      }
      out.append("}}").append(i == keys.length - 1 ? "\n" : ",\n");
    }
    System.out.print(out.append("]\n"));
  }
}
