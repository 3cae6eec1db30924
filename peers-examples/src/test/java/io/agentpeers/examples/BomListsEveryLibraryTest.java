package io.agentpeers.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.protocol.PeersVersion;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * peers-bom has no parent (so importing it pins nothing but peers), so nothing makes it follow the reactor by
 * itself: this checks that it has the reactor's version and lists every library module at that version.
 */
class BomListsEveryLibraryTest {
    /** The reactor's modules that are not libraries an orchestrator depends on. */
    static final Set<String> NOT_PUBLISHED = Set.of("peers-app", "peers-bench", "peers-bom", "peers-examples");

    static final Path ROOT = Path.of(System.getProperty("peers.root", ".."));

    @Test
    void theBomHasTheReactorsVersionAndEveryLibraryModule() throws Exception {
        Element parent = read(ROOT.resolve("pom.xml"));
        Element bom = read(ROOT.resolve("peers-bom/pom.xml"));
        assertEquals(text(parent, "version"), text(bom, "version"), "peers-bom/pom.xml's version");

        Set<String> libraries = new TreeSet<>(texts(parent, "modules", "module"));
        libraries.removeAll(NOT_PUBLISHED);
        Set<String> managed = new TreeSet<>();
        for (Element dependency : elements(child(bom, "dependencyManagement", "dependencies"), "dependency")) {
            assertEquals("io.agentpeers", text(dependency, "groupId"));
            assertEquals("${project.version}", text(dependency, "version"), text(dependency, "artifactId"));
            managed.add(text(dependency, "artifactId"));
        }
        assertTrue(libraries.size() > 10, "modules read from the parent pom: " + libraries);
        Set<String> missing = new TreeSet<>(libraries);
        missing.removeAll(managed);
        assertEquals(Set.of(), missing, "library modules missing from peers-bom/pom.xml");
    }

    @Test
    void theCodeReadsThePomsVersion() {
        assertEquals(System.getProperty("peers.expected.version"), PeersVersion.VERSION);
    }

    private static Element read(Path pom) throws Exception {
        Document document =
                DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
        return document.getDocumentElement();
    }

    private static Element child(Element element, String... path) {
        Element at = element;
        for (String name : path) {
            List<Element> found = elements(at, name);
            if (found.isEmpty()) {
                throw new AssertionError("no <" + name + "> in <" + at.getTagName() + ">");
            }
            at = found.get(0);
        }
        return at;
    }

    private static String text(Element element, String name) {
        return child(element, name).getTextContent().strip();
    }

    private static List<String> texts(Element element, String list, String item) {
        List<String> texts = new ArrayList<>();
        for (Element each : elements(child(element, list), item)) {
            texts.add(each.getTextContent().strip());
        }
        return texts;
    }

    /** The direct children of that name (not deeper ones: a pom nests dependencies in several places). */
    private static List<Element> elements(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        NodeList children = parent.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            Node node = children.item(i);
            if (node instanceof Element element && element.getTagName().equals(name)) {
                found.add(element);
            }
        }
        return found;
    }
}
