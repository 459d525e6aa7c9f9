package io.astro.sync.clusters;

import io.astro.common.events.DeadLetters;
import io.astro.common.runtime.DaemonThreads;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code astro.clusters} on a thread of its own into {@link PublishedClusters}. Every
 * instance needs every cluster (apps of any cluster may be its share), so all partitions are
 * assigned by hand and read from the beginning — the topic is compacted: the latest record per
 * cluster — with no group and no commits. A record the registry cannot take goes to the dead-letter
 * topic and reading goes on; if the dead-letter topic cannot be written, the partition is rewound
 * and the record tried again.
 */
public final class ClusterTopicConsumer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterTopicConsumer.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
  private static final Duration TOPIC_MISSING_PAUSE = Duration.ofSeconds(5);

  private final KafkaConsumer<String, String> consumer;
  private final DeadLetters deadLetters;
  private final String topic;
  private final PublishedClusters clusters;
  private final Duration poll;
  private final Thread thread;
  private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private volatile boolean running = true;

  /**
   * @param consumerConfig without {@code group.id}: nothing is committed
   */
  public ClusterTopicConsumer(
      Map<String, Object> consumerConfig,
      DeadLetters deadLetters,
      String topic,
      PublishedClusters clusters) {
    this(consumerConfig, deadLetters, topic, clusters, POLL);
  }

  /** {@code poll}: how long one poll waits for records. */
  ClusterTopicConsumer(
      Map<String, Object> consumerConfig,
      DeadLetters deadLetters,
      String topic,
      PublishedClusters clusters,
      Duration poll) {
    this.consumer = new KafkaConsumer<>(consumerConfig);
    this.poll = poll;
    this.deadLetters = deadLetters;
    this.topic = topic;
    this.clusters = clusters;
    this.thread = DaemonThreads.thread("sync-worker-clusters", this::run);
  }

  public void start() {
    thread.start();
  }

  /**
   * Completes once the records that were on the topic when reading began have been applied (or at
   * once when there is no such topic): until then an app's cluster may just not be read yet.
   */
  public CompletableFuture<Void> caughtUp() {
    return caughtUp;
  }

  private void run() {
    try {
      List<TopicPartition> partitions = awaitPartitions();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = null;
      while (running) {
        // looked at before each poll, not after: a topic already read to its end (an empty one at
        // a first start) is caught up at once, not after a poll that waits its whole time for
        // records that will not come
        if (!caughtUp.isDone()) {
          try {
            end = end != null ? end : consumer.endOffsets(partitions);
            if (end.entrySet().stream()
                .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
              LOG.info("cluster registry read from {}", topic);
              caughtUp.complete(null);
            }
          } catch (TimeoutException e) {
            LOG.warn("Kafka does not answer for topic {}, trying again: {}", topic, e.getMessage());
          }
        }
        process(consumer.poll(poll));
      }
    } catch (WakeupException e) {
      // close() asked us to stop
    } catch (RuntimeException e) {
      LOG.error("cluster topic consumption stopped: {}", e.toString(), e);
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  // a deployment with static clusters only may have no such topic: nothing to wait for, but it is
  // looked for again
  private List<TopicPartition> awaitPartitions() {
    boolean told = false;
    while (true) {
      List<PartitionInfo> infos;
      try {
        infos = consumer.partitionsFor(topic);
      } catch (TimeoutException e) {
        LOG.warn("Kafka does not answer for topic {}, trying again: {}", topic, e.getMessage());
        continue;
      }
      if (infos != null && !infos.isEmpty()) {
        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      }
      if (!told) {
        told = true;
        LOG.info(
            "topic {} does not exist (yet): only static clusters (ASTRO_CLUSTERS) for now", topic);
        caughtUp.complete(null);
      }
      sleep(TOPIC_MISSING_PAUSE);
      if (!running) {
        throw new WakeupException();
      }
    }
  }

  private void process(ConsumerRecords<String, String> records) {
    Map<TopicPartition, Long> done = new HashMap<>();
    for (ConsumerRecord<String, String> record : records) {
      TopicPartition partition = new TopicPartition(record.topic(), record.partition());
      try {
        handle(record);
      } catch (RuntimeException e) {
        LOG.warn(
            "cluster record at {}@{} not applied, retrying: {}",
            partition,
            record.offset(),
            e.getMessage());
        // positions moved past the whole batch: put every partition back to its first unapplied
        // record
        for (TopicPartition p : records.partitions()) {
          Long next = done.get(p);
          consumer.seek(p, next != null ? next : records.records(p).get(0).offset());
        }
        sleep(RETRY_PAUSE);
        return;
      }
      done.put(partition, record.offset() + 1);
    }
  }

  private void handle(ConsumerRecord<String, String> record) {
    try {
      clusters.apply(record.key(), record.value());
    } catch (PublishedClusters.RejectedRecord rejected) {
      LOG.warn(
          "cluster record {} at {}-{}@{} goes to the dead-letter topic: {}",
          record.key(),
          record.topic(),
          record.partition(),
          record.offset(),
          rejected.getMessage());
      deadLetters.parkAndWait(record, rejected.getMessage());
    }
  }

  // not Thread.sleep + interrupt: an interrupt inside a Kafka call makes it throw instead of
  // stopping quietly
  private void sleep(Duration pause) {
    try {
      stopping.await(pause.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    stopping.countDown();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
