package io.agentpeers.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README.md's "Java library" example is the source of src/it/readme-example, which the invoker builds and
 * runs against peers-bom: so the README shows code that compiles and works, imports included. Compared
 * after dropping trailing blanks and the block's common indentation. The README's dependency snippet
 * imports peers-bom at the build's version.
 */
class ReadmeExampleInStepTest {
    static final String SECTION = "## Java library";
    static final Path README = Path.of(System.getProperty("peers.root", "..")).resolve("README.md");
    static final Path EXAMPLE = Path.of(System.getProperty("peers.examples", "src/it"))
            .resolve("readme-example/src/main/java/Orchestrator.java");
    static final Pattern BOM_VERSION =
            Pattern.compile("<artifactId>peers-bom</artifactId>\\s*<version>([^<]*)</version>");

    @Test
    void theReadmeShowsTheExampleProjectsSourceAsItIs() throws IOException {
        String readme = normalised(javaBlockUnder(SECTION, Files.readAllLines(README)));
        String example = normalised(Files.readAllLines(EXAMPLE));
        assertEquals(
                example,
                readme,
                "README.md's " + SECTION + " example and " + EXAMPLE
                        + " differ: change both (the invoker build runs the second)");
    }

    @Test
    void theReadmeImportsTheBomAtThisVersion() throws IOException {
        String snippet = String.join("\n", blockUnder(SECTION, "```xml", Files.readAllLines(README)));
        Matcher bom = BOM_VERSION.matcher(snippet);
        assertTrue(bom.find(), "README.md's " + SECTION + " shows no peers-bom with a version:\n" + snippet);
        assertEquals(System.getProperty("peers.expected.version"), bom.group(1), "README.md's peers-bom version");
        assertTrue(snippet.contains("<scope>import</scope>"), snippet);
    }

    @Test
    void theComparisonSeesADifference() {
        List<String> block = javaBlockUnder("## Here", List.of("## Here", "text", "```java", "  int a;", "```"));
        assertEquals("int a;", normalised(block));
        assertNotEquals(normalised(List.of("int b;")), normalised(block));
    }

    /** The lines of the first {@code ```java} block after the heading (and before the next heading). */
    static List<String> javaBlockUnder(String heading, List<String> lines) {
        return blockUnder(heading, "```java", lines);
    }

    /** The lines of the first block opened by {@code fence} after the heading (and before the next heading). */
    static List<String> blockUnder(String heading, String fence, List<String> lines) {
        int at = lines.indexOf(heading);
        if (at < 0) {
            throw new AssertionError("README.md has no line " + heading);
        }
        List<String> block = new ArrayList<>();
        boolean inside = false;
        for (String line : lines.subList(at + 1, lines.size())) {
            if (!inside && line.startsWith("## ")) {
                break;
            }
            if (!inside && line.strip().equals(fence)) {
                inside = true;
            } else if (inside && line.strip().equals("```")) {
                return block;
            } else if (inside) {
                block.add(line);
            }
        }
        throw new AssertionError("no closed " + fence + " block under " + heading);
    }

    /** Trailing blanks and surrounding empty lines dropped, the common indentation removed. */
    static String normalised(List<String> lines) {
        return String.join("\n", lines).stripIndent().strip();
    }
}
