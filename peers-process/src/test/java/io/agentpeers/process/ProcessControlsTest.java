package io.agentpeers.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.agentpeers.process.ProcessControls.Kind;
import org.junit.jupiter.api.Test;

class ProcessControlsTest {
    @Test
    void procfsWhereItIsReadableElseThePortableOne() {
        assertEquals(Kind.PROCFS, ProcessControls.choose(null, true));
        assertEquals(Kind.PORTABLE, ProcessControls.choose(null, false));
        assertEquals(Kind.PORTABLE, ProcessControls.choose(" ", false));
    }

    @Test
    void eitherMayBeForced() {
        assertEquals(Kind.PORTABLE, ProcessControls.choose("portable", true));
        assertEquals(Kind.PROCFS, ProcessControls.choose(" ProcFS ", true));
        assertThrows(IllegalStateException.class, () -> ProcessControls.choose("procfs", false));
        assertThrows(IllegalArgumentException.class, () -> ProcessControls.choose("ps", true));
    }

    @Test
    void thisMachineHonoursTheProperty() {
        String before = System.getProperty(ProcessControls.PROPERTY);
        try {
            System.setProperty(ProcessControls.PROPERTY, "portable");
            assertEquals(
                    PortableProcessControl.class,
                    ProcessControls.forThisMachine().getClass());
        } finally {
            if (before == null) {
                System.clearProperty(ProcessControls.PROPERTY);
            } else {
                System.setProperty(ProcessControls.PROPERTY, before);
            }
        }
    }
}
