package dev.kbackup.restore;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Which backed-up topics to restore: the listed ones, those matching a regex, or (neither given) all of them. */
final class TopicSelection {

    private final Set<String> names;
    private final Pattern regex;

    TopicSelection(List<String> names, Pattern regex) {
        this.names = new TreeSet<>();
        names.stream().map(String::trim).filter(name -> !name.isEmpty()).forEach(this.names::add);
        this.regex = regex;
    }

    boolean matches(String topic) {
        if (!names.isEmpty()) {
            return names.contains(topic);
        }
        return regex == null || regex.matcher(topic).matches();
    }

    /** Listed topics that the backup does not hold. */
    Set<String> missingFrom(Set<String> backedUp) {
        Set<String> missing = new TreeSet<>(names);
        missing.removeAll(backedUp);
        return missing;
    }

    @Override
    public String toString() {
        return !names.isEmpty() ? "topics " + names : regex != null ? "topics matching " + regex : "all topics";
    }
}
