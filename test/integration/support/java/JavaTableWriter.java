// Writes Java-serialized table updates for test/integration/java-interop.test.ts: String keys, Long /
// Integer / Double values, Java's default partitioner. Each key gets a value, some get an update and one a
// tombstone. Prints one "RECORD <topic> <partition> <key> <value|null>" line per acknowledged record.
// Usage: java -cp "<kafka libs>/*" JavaTableWriter.java <bootstrap> <long-topic> <int-topic> <double-topic>
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.DoubleSerializer;
import org.apache.kafka.common.serialization.IntegerSerializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class JavaTableWriter {
  // UTF-8 whatever the platform encoding, so non-ASCII keys reach the test intact.
  static final PrintStream OUT = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
  static final String[] KEYS = {"alpha", "beta", "gamma", "delta", "epsilon", "customer-42", "order-1",
      "\u00fcn\u00efc\u00f8d\u00e9-\u043a\u043b\u044e\u0447", "k9", "k10", "k11", "k12"};

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    List<Object> longs = new ArrayList<>();
    List<Object> ints = new ArrayList<>();
    List<Object> doubles = new ArrayList<>();
    for (int i = 0; i < KEYS.length; i++) {
      longs.add(i % 2 == 0 ? 9_007_199_254_740_991L - i : -1_000_000_007L * i);
      ints.add(i == 3 ? Integer.MIN_VALUE : i == 4 ? Integer.MAX_VALUE : i * 1_000 - 3_500);
      doubles.add(i == 5 ? 1.0e300 : i * 3.25 - 7.0 / 3.0);
    }
    write(bootstrap, args[1], new LongSerializer(), longs, 123_456_789_012L, null);
    write(bootstrap, args[2], new IntegerSerializer(), ints, -42, null);
    write(bootstrap, args[3], new DoubleSerializer(), doubles, -0.125, null);
  }

  /** Writes every key, then updates KEYS[1] and KEYS[6], then deletes KEYS[2] and KEYS[7]. */
  static <V> void write(String bootstrap, String topic, Serializer<V> values, List<Object> initial, V update,
      V tombstone) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, V> producer = new KafkaProducer<>(props, new StringSerializer(), values)) {
      for (int i = 0; i < KEYS.length; i++) {
        @SuppressWarnings("unchecked")
        V value = (V) initial.get(i);
        send(producer, topic, KEYS[i], value);
      }
      send(producer, topic, KEYS[1], update);
      send(producer, topic, KEYS[6], update);
      send(producer, topic, KEYS[2], tombstone);
      send(producer, topic, KEYS[7], tombstone);
    }
  }

  static <V> void send(KafkaProducer<String, V> producer, String topic, String key, V value) throws Exception {
    // No partition given: Java's default partitioner (murmur2 of the serialized key) chooses it.
    RecordMetadata metadata = producer.send(new ProducerRecord<>(topic, key, value)).get();
    OUT.println("RECORD " + topic + " " + metadata.partition() + " " + key + " " + value);
  }
}
