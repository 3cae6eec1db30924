package io.agentpeers.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The git checkout a folder lies in, found the same way by every face, so that two peers in one
 * repository always get one repo key (scope {@code repo} compares it).
 *
 * <p>Read from the files git keeps, with no git process: walking up to the first {@code .git}, which is
 * the git folder of a main checkout, or a file ({@code gitdir: ...}) in a worktree or submodule whose
 * {@code commondir} names the repository's shared git folder. Paths are real paths (symbolic links
 * resolved), as {@code git rev-parse --show-toplevel --git-common-dir} prints them.
 *
 * @param gitRoot the top folder of the checkout ({@code --show-toplevel})
 * @param repoKey the repository's shared git folder ({@code --git-common-dir}): equal for all its worktrees
 */
public record WorkingFolder(String gitRoot, String repoKey) {

    /** The checkout {@code folder} is in, or empty outside one (or when its git files cannot be read). */
    public static Optional<WorkingFolder> of(Path folder) {
        Path start = real(folder);
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path git = dir.resolve(".git");
            try {
                if (Files.isDirectory(git)) {
                    return Optional.of(
                            new WorkingFolder(dir.toString(), real(git).toString()));
                }
                if (Files.isRegularFile(git)) {
                    return linked(
                            dir, Files.readString(git, StandardCharsets.UTF_8).strip());
                }
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** A worktree or submodule: {@code .git} is a file pointing at its own git folder. */
    private static Optional<WorkingFolder> linked(Path dir, String pointer) throws IOException {
        if (!pointer.startsWith("gitdir:")) {
            return Optional.empty(); // not a git file git would accept either
        }
        Path gitDir = dir.resolve(pointer.substring("gitdir:".length()).strip()).normalize();
        Path common = gitDir.resolve("commondir");
        Path shared = Files.isRegularFile(common)
                ? gitDir.resolve(
                                Files.readString(common, StandardCharsets.UTF_8).strip())
                        .normalize()
                : gitDir;
        return Optional.of(new WorkingFolder(dir.toString(), real(shared).toString()));
    }

    private static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path.toAbsolutePath().normalize();
        }
    }
}
