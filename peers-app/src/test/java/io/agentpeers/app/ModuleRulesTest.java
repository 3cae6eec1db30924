package io.agentpeers.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The module graph, checked over the production classes of every module (the app's test class path
 * holds them all): the core is pure, adapters know the core and the ports but not each other, faces
 * are clients of the broker, and only the app wires a concrete store and transport to a broker.
 */
class ModuleRulesTest {
    private static final String CORE = "io.agentpeers.core..";
    private static final String CLIENT = "io.agentpeers.protocol..";
    private static final String STORES = "io.agentpeers.store..";
    private static final String SQLITE = "io.agentpeers.store.sqlite..";
    private static final String TRANSPORTS = "io.agentpeers.transport..";
    private static final String PROCESS = "io.agentpeers.process..";
    private static final String BROKER = "io.agentpeers.broker..";
    private static final String LOCAL = "io.agentpeers.local..";
    private static final String MCP = "io.agentpeers.mcp..";
    private static final String CLI = "io.agentpeers.cli..";
    private static final String APP = "io.agentpeers.app..";
    private static final String TESTKIT = "io.agentpeers.testkit..";
    private static final String DASHBOARD = "io.agentpeers.dashboard..";

    private static final JavaClasses PEERS = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // A module's test jar (peers-store-postgres's test server) holds tests too.
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("io.agentpeers");

    @Test
    void theCoreUsesTheJdkOnly() {
        classes()
                .that()
                .resideInAPackage(CORE)
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(CORE, "java..")
                .check(PEERS);
    }

    @Test
    void theClientSideKnowsNoServerStoreOrFace() {
        noClasses()
                .that()
                .resideInAPackage(CLIENT)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(BROKER, STORES, TRANSPORTS, PROCESS, LOCAL, MCP, CLI, APP, TESTKIT)
                .check(PEERS);
    }

    @Test
    void storesKnowNoTransportBrokerOrFace() {
        noClasses()
                .that()
                .resideInAPackage(STORES)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(CLIENT, TRANSPORTS, PROCESS, BROKER, LOCAL, MCP, CLI, APP, TESTKIT)
                .check(PEERS);
    }

    @Test
    void storesAreSiblings() {
        List<String> stores = List.of("io.agentpeers.store.memory..", SQLITE, "io.agentpeers.store.postgres..");
        for (String store : stores) {
            for (String other : stores) {
                if (!other.equals(store)) {
                    noClasses()
                            .that()
                            .resideInAPackage(store)
                            .should()
                            .dependOnClassesThat()
                            .resideInAPackage(other)
                            .check(PEERS);
                }
            }
        }
    }

    @Test
    void transportsKnowTheClientSpiAndNotEachOther() {
        noClasses()
                .that()
                .resideInAPackage(TRANSPORTS)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(BROKER, STORES, PROCESS, LOCAL, MCP, CLI, APP, TESTKIT)
                .check(PEERS);
        for (String transport : new String[] {"unix", "tcp", "invm"}) {
            String own = "io.agentpeers.transport." + transport + "..";
            noClasses()
                    .that()
                    .resideInAPackage(own)
                    .should()
                    .dependOnClassesThat(DescribedPredicate.describe(
                            "another transport",
                            c -> c.getPackageName().startsWith("io.agentpeers.transport.")
                                    && !c.getPackageName().startsWith("io.agentpeers.transport." + transport)))
                    .check(PEERS);
        }
    }

    @Test
    void processControlKnowsOnlyTheCore() {
        noClasses()
                .that()
                .resideInAPackage(PROCESS)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(CLIENT, STORES, TRANSPORTS, BROKER, LOCAL, MCP, CLI, APP, TESTKIT)
                .check(PEERS);
    }

    @Test
    void theBrokerIsGivenItsStoreAndTransports() {
        noClasses()
                .that()
                .resideInAPackage(BROKER)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(STORES, TRANSPORTS, LOCAL, MCP, CLI, APP, TESTKIT)
                .check(PEERS);
    }

    @Test
    void theFacesAreClientsOfTheBroker() {
        noClasses()
                .that()
                .resideInAnyPackage(LOCAL, MCP, CLI)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(BROKER, STORES, APP, TESTKIT)
                .check(PEERS);
        noClasses()
                .that()
                .resideInAPackage(MCP)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(CLI)
                .check(PEERS);
        noClasses()
                .that()
                .resideInAPackage(CLI)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(MCP)
                .check(PEERS);
    }

    @Test
    void theDashboardSeesTheNetworkOnlyThroughItsBackend() {
        // The broker hands it a DashboardBackend; it knows no broker class, store, transport or other face.
        noClasses()
                .that()
                .resideInAPackage(DASHBOARD)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(BROKER, STORES, TRANSPORTS, PROCESS, LOCAL, MCP, CLI, APP, TESTKIT)
                .check(PEERS);
        noClasses()
                .that()
                .resideInAnyPackage(CORE, CLIENT, STORES, TRANSPORTS, LOCAL, MCP, CLI)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(DASHBOARD)
                .check(PEERS);
    }

    @Test
    void onlyTheAppWiresAConcreteStoreToABroker() {
        noClasses()
                .that()
                .resideOutsideOfPackages(APP, SQLITE, TESTKIT, "io.agentpeers.bench..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(SQLITE)
                .check(PEERS);
        noClasses()
                .that()
                .resideOutsideOfPackage(APP)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(APP)
                .check(PEERS);
    }
}
