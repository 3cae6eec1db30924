package io.agentpeers.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * README.md's "Java library" example is the source of src/it/readme-example, which the invoker builds and
 * runs against peers-bom: so the README shows code that compiles and works, imports included. Compared
 * after dropping trailing blanks and the block's common indentation.
 */
class ReadmeExampleInStepTest {
    static final String SECTION = "## Java library";
    static final Path README = Path.of(System.getProperty("peers.root", "..")).resolve("README.md");
    static final Path EXAMPLE = Path.of(System.getProperty("peers.examples", "src/it"))
            .resolve("readme-example/src/main/java/Orchestrator.java");

    @Test
    void theReadmeShowsTheExampleProjectsSourceAsItIs() throws IOException {
        String readme = normalised(javaBlockUnder(SECTION, Files.readAllLines(README)));
        String example = normalised(Files.readAllLines(EXAMPLE));
        assertEquals(example, readme, "README.md's " + SECTION + " example and " + EXAMPLE
                + " differ: change both (the invoker build runs the second)");
    }

    @Test
    void theComparisonSeesADifference() {
        List<String> block = javaBlockUnder("## Here", List.of("## Here", "text", "```java", "  int a;", "```"));
        assertEquals("int a;", normalised(block));
        assertNotEquals(normalised(List.of("int b;")), normalised(block));
    }

    /** The lines of the first {@code ```java} block after the heading (and before the next heading). */
    static List<String> javaBlockUnder(String heading, List<String> lines) {
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
            if (!inside && line.strip().equals("```java")) {
                inside = true;
            } else if (inside && line.strip().equals("```")) {
                return block;
            } else if (inside) {
                block.add(line);
            }
        }
        throw new AssertionError("no closed ```java block under " + heading);
    }

    /** Trailing blanks and surrounding empty lines dropped, the common indentation removed. */
    static String normalised(List<String> lines) {
        return String.join("\n", lines).stripIndent().strip();
    }
}
