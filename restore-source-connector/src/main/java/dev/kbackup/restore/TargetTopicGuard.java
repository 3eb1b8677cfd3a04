package dev.kbackup.restore;

import dev.kbackup.config.ClusterConfigKeys;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.connect.errors.ConnectException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The restore's guard rails: it never writes into a topic the cluster or Connect runs on (Kafka's {@code __}
 * topics, Connect's config, offset and status topics, MirrorMaker's {@code .internal} topics), and never back into the
 * backed-up topic itself on the cluster the backup was taken from, unless the user allows it. The connector's
 * {@code validate()} and each task ask the same questions, so {@code /config/validate} and a task that would
 * produce give the same answer.
 *
 * <p>A plugin cannot read its worker's config, so Connect's own topics are recognised by name: the connector's
 * {@code offsets.storage.topic} and the names Connect distributions give them ({@code connect-configs},
 * {@code connect-cluster-offsets}, {@code _connect-status}, {@code docker-connect-configs},
 * {@code connect-config-topic-*}, ...): a name with the word "connect" and, after it, the word "config(s)",
 * "offset(s)" or "status(es)".
 */
final class TargetTopicGuard {

    /** Connect's per-connector offsets topic (KIP-618), which a source connector's config may name. */
    static final String CONNECTOR_OFFSETS_TOPIC = "offsets.storage.topic";

    private static final Set<String> KAFKA_INTERNAL = Set.of("__consumer_offsets", "__transaction_state",
            "__share_group_state", "__cluster_metadata", "__remote_log_metadata");
    // the word "connect", then later the word config(s), offset(s) or status(es), words split at '.', '_', '-'
    private static final Pattern CONNECT_WORKER_TOPIC = Pattern.compile(
            "(.*[._-])?connect([._-].*)?[._-](configs?|offsets?|status(es)?)([._-].*)?");
    private static final Pattern MIRROR_MAKER_TOPIC = Pattern.compile(".*[.-]internal");

    /** One refused target: the key the message is reported on and what to do. */
    record Refusal(String configKey, String message) {
    }

    private final String backupId;
    private final boolean allowInternal;
    private final boolean allowSourceOverwrite;
    private final String connectorOffsetsTopic;

    TargetTopicGuard(String backupId, boolean allowInternal, boolean allowSourceOverwrite,
                     String connectorOffsetsTopic) {
        this.backupId = backupId;
        this.allowInternal = allowInternal;
        this.allowSourceOverwrite = allowSourceOverwrite;
        this.connectorOffsetsTopic = connectorOffsetsTopic;
    }

    static TargetTopicGuard of(RestoreConfig config) {
        return new TargetTopicGuard(config.backupId(), config.allowInternalTopics(), config.allowSourceOverwrite(),
                config.originalsStrings().get(CONNECTOR_OFFSETS_TOPIC));
    }

    /** Why {@code topic} counts as internal, or empty for an ordinary topic. */
    Optional<String> internalReason(String topic) {
        if (KAFKA_INTERNAL.contains(topic) || topic.startsWith("__")) {
            return Optional.of("an internal topic of Kafka (names starting with '__' are reserved for them)");
        }
        if (topic.equals(connectorOffsetsTopic)) {
            return Optional.of("this connector's own offsets topic (" + CONNECTOR_OFFSETS_TOPIC + ")");
        }
        if (CONNECT_WORKER_TOPIC.matcher(topic.toLowerCase(Locale.ROOT)).matches()) {
            return Optional.of("by its name one of Kafka Connect's config, offset or status topics");
        }
        if (MIRROR_MAKER_TOPIC.matcher(topic).matches()) {
            return Optional.of("by its name an internal topic of MirrorMaker 2 (ending in .internal or -internal)");
        }
        return Optional.empty();
    }

    /** Targets that are internal topics, unless {@value RestoreConfig#ALLOW_INTERNAL_TOPICS} is set. */
    List<Refusal> internalTargets(Collection<PartitionPlan> plans) {
        List<Refusal> refusals = new ArrayList<>();
        if (allowInternal) {
            return refusals;
        }
        sourcesByTarget(plans).forEach((target, source) -> internalReason(target).ifPresent(reason ->
                refusals.add(new Refusal(RestoreConfig.TOPIC_MAPPING, "Target topic '" + target + "' (restored from "
                        + "topic '" + source + "' of backup '" + backupId + "') is " + reason + ": writing into it can "
                        + "break the cluster or the Connect workers. Restore into another topic with "
                        + RestoreConfig.TOPIC_MAPPING + "=" + source + ":" + source.replaceFirst("^_+", "")
                        + "-restored, leave the topic out with " + RestoreConfig.TOPICS + ", or set "
                        + RestoreConfig.ALLOW_INTERNAL_TOPICS + "=true if you really mean to write into it"))));
        return refusals;
    }

    /**
     * Every refusal for these plans; {@code targetClusterId} is asked only when a target has its source's name and
     * the backup recorded its cluster's id.
     */
    List<Refusal> check(Collection<PartitionPlan> plans, String backupClusterId, Supplier<String> targetClusterId) {
        List<Refusal> refusals = internalTargets(plans);
        if (needsTargetClusterId(plans, backupClusterId)) {
            refusals.addAll(sourceOverwrites(plans, backupClusterId, targetClusterId.get()));
        }
        return refusals;
    }

    /** As {@link #check}, for a task about to produce: any refusal stops it with every message. */
    void enforce(Collection<PartitionPlan> plans, String backupClusterId, Supplier<String> targetClusterId) {
        List<Refusal> refusals = check(plans, backupClusterId, targetClusterId);
        if (!refusals.isEmpty()) {
            throw new ConnectException(refusals.stream().map(Refusal::message).collect(Collectors.joining(". ")));
        }
    }

    /** True when some target topic has its source's name, so the target cluster's id decides. */
    boolean needsTargetClusterId(Collection<PartitionPlan> plans, String backupClusterId) {
        return !allowSourceOverwrite && backupClusterId != null
                && plans.stream().anyMatch(plan -> plan.source().topic().equals(plan.target().topic()));
    }

    /**
     * Targets that are the backed-up topic itself on the cluster it was backed up from, unless
     * {@value RestoreConfig#ALLOW_SOURCE_OVERWRITE} is set. A backup that did not record its cluster's id cannot be
     * compared and is not refused.
     */
    List<Refusal> sourceOverwrites(Collection<PartitionPlan> plans, String backupClusterId, String targetClusterId) {
        List<Refusal> refusals = new ArrayList<>();
        if (allowSourceOverwrite || backupClusterId == null || !Objects.equals(backupClusterId, targetClusterId)) {
            return refusals;
        }
        sourcesByTarget(plans).forEach((target, source) -> {
            if (target.equals(source)) {
                refusals.add(new Refusal(RestoreConfig.TOPIC_MAPPING, "Target topic '" + target + "' is the topic "
                        + "backup '" + backupId + "' was taken from, on the same cluster (id " + targetClusterId
                        + "): the restore would append old records to the live topic, and its consumers would read "
                        + "them again. Restore into another topic with " + RestoreConfig.TOPIC_MAPPING + "=" + source
                        + ":" + source + "-restored, or set " + RestoreConfig.ALLOW_SOURCE_OVERWRITE + "=true if you "
                        + "mean to write the records back into it"));
            }
        });
        return refusals;
    }

    /** The id of the cluster behind {@code admin}, which the overwrite check compares with the backup's. */
    static String clusterId(Admin admin, long timeoutMs) {
        try {
            return admin.describeCluster().clusterId().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("Interrupted while learning the target cluster's id", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new ConnectException("Could not learn the id of the target cluster (to check that the restore does "
                    + "not write into its own source topic): " + cause + ". Check " + ClusterConfigKeys.BOOTSTRAP_SERVERS
                    + " and the cluster.* security settings", cause);
        }
    }

    /** Each target topic with one of the topics restored into it (the first by name). */
    private static Map<String, String> sourcesByTarget(Collection<PartitionPlan> plans) {
        Map<String, String> sources = new TreeMap<>();
        plans.stream().sorted((a, b) -> a.source().topic().compareTo(b.source().topic()))
                .forEach(plan -> {
                    String target = plan.target().topic();
                    String source = plan.source().topic();
                    // prefer the same-named source: that is the pair the overwrite check is about
                    if (source.equals(target) || !sources.containsKey(target)) {
                        sources.put(target, source);
                    }
                });
        return sources;
    }
}
