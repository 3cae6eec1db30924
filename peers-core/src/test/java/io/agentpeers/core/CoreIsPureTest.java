package io.agentpeers.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The core is the domain alone: it uses the JDK and nothing else, and never reaches into adapters. */
class CoreIsPureTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.agentpeers.core");

    @Test
    void coreDependsOnTheJdkOnly() {
        classes()
                .that()
                .resideInAPackage("io.agentpeers.core..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("io.agentpeers.core..", "java..")
                .check(CORE);
    }

    @Test
    void coreDoesNoIoOfItsOwn() {
        noClasses()
                .that()
                .resideInAPackage("io.agentpeers.core..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("java.io..", "java.nio.file..", "java.net..", "java.nio.channels..", "java.sql..")
                .check(CORE);
    }
}
