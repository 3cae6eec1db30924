package io.agentpeers.protocol;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rule for the folders and files peers keeps (the home, the socket's and the database's folders;
 * {@code broker.log}, {@code broker.lock}, {@code start.lock}, {@code token}, {@code cli.secret}, the
 * database): each belongs to the user peers runs as, no one else may write in a folder, and none is a
 * symbolic link. Whoever could plant a link or a file there could make peers write through the link
 * or trust the planted token or secret; root is held to the same rule. Folders made here get mode
 * 0700, files 0600. Where the file system has no Unix owners and modes, only the link and type checks
 * apply.
 *
 * <p>Once a folder passes, only its owner (this user) can change what is in it, so a file checked here
 * and then opened by path elsewhere (a child's output redirect, SQLite) is still the file checked.
 */
public final class PrivateFiles {
    private static final Set<String> VIEWS = FileSystems.getDefault().supportedFileAttributeViews();
    private static final boolean POSIX = VIEWS.contains("posix");
    private static final boolean UNIX = VIEWS.contains("unix");
    private static final Set<PosixFilePermission> FOLDER_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final String FACTS = "unix:isSymbolicLink,isDirectory,isRegularFile,uid,owner,permissions";

    private static volatile Integer currentUid;

    private PrivateFiles() {}

    /**
     * Makes {@code folder} (mode 0700, and its missing parents) when it is absent, then {@link
     * #checkFolder checks} it.
     *
     * @param setting the variable that names the folder ({@code PEERS_HOME}, {@code PEERS_SOCKET}), for the fix
     * @return the folder as an absolute path
     * @throws NotPrivateException when the folder breaks the rule
     */
    public static Path requireFolder(Path folder, String setting) throws IOException {
        Path dir = folder.toAbsolutePath();
        if (!Files.exists(dir, NOFOLLOW_LINKS)) {
            create(dir);
        }
        checkFolder(dir, setting);
        return dir;
    }

    /**
     * Checks that {@code folder} is a real folder (not a link), owned by this user, that group and
     * others may not write in.
     *
     * @param setting the variable that names the folder, for the fix
     * @throws NotPrivateException when it is not, with one sentence that says how to fix it
     */
    public static void checkFolder(Path folder, String setting) throws IOException {
        Path dir = folder.toAbsolutePath();
        Facts facts = facts(dir);
        String what = "the peers folder " + dir;
        if (facts.link()) {
            throw new NotPrivateException(what + " is a symbolic link, and peers keeps its files only in a real folder:"
                    + " set " + setting + " to the folder itself");
        }
        if (!facts.folder()) {
            throw new NotPrivateException(
                    what + " is not a folder: move it away or set " + setting + " to another path");
        }
        checkOwner(
                what,
                facts,
                "move it away (peers then makes a new one) or set " + setting + " to a folder of your own");
        if (facts.mode() != null
                && (facts.mode().contains(PosixFilePermission.GROUP_WRITE)
                        || facts.mode().contains(PosixFilePermission.OTHERS_WRITE))) {
            throw new NotPrivateException(what + " lets other users put files and links in it (mode "
                    + PosixFilePermissions.toString(facts.mode()) + "): run `chmod 700 " + dir + "`");
        }
    }

    /**
     * Opens {@code file} without following a symbolic link, as {@link FileChannel#open} would with
     * {@code options}; a file it creates gets mode 0600. The file must be a regular file owned by this
     * user, checked before opening (so a planted FIFO cannot block) and after.
     *
     * @throws NotPrivateException when the file is a link, not a regular file, or another user's
     */
    public static FileChannel open(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> set = new HashSet<>(List.of(options));
        set.add(NOFOLLOW_LINKS);
        if (Files.exists(file, NOFOLLOW_LINKS)) {
            checkFile(file);
        }
        boolean creates = set.contains(StandardOpenOption.CREATE) || set.contains(StandardOpenOption.CREATE_NEW);
        FileChannel channel = creates && POSIX
                ? FileChannel.open(file, set, PosixFilePermissions.asFileAttribute(FILE_MODE))
                : FileChannel.open(file, set);
        try {
            checkFile(file);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    /** Makes {@code file} empty with mode 0600 when it is absent; checks it either way, as {@link #open} does. */
    public static void createFile(Path file) throws IOException {
        open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE).close();
    }

    /**
     * The text of {@code file}, read as {@link #open} opens it.
     *
     * @throws java.nio.file.NoSuchFileException when there is no such file
     */
    public static String read(Path file, Charset charset) throws IOException {
        try (FileChannel channel = open(file, StandardOpenOption.READ)) {
            return new String(Channels.newInputStream(channel).readAllBytes(), charset);
        }
    }

    /** The effective uid of this process: the owner of the files it creates, and of peers' files. */
    public static int currentUid() throws IOException {
        Integer known = currentUid;
        if (known == null) {
            Path probe = Files.createTempFile("peers-uid", ".probe");
            try {
                known = ((Number) Files.getAttribute(probe, "unix:uid")).intValue();
            } finally {
                Files.deleteIfExists(probe);
            }
            currentUid = known;
        }
        return known;
    }

    private static void checkFile(Path file) throws IOException {
        Facts facts = facts(file);
        String what = "the peers file " + file.toAbsolutePath();
        if (facts.link()) {
            throw new NotPrivateException(what + " is a symbolic link, which peers never follows (it could point at any"
                    + " file): remove the link and peers makes a new file");
        }
        if (!facts.regular()) {
            throw new NotPrivateException(what + " is not a regular file: remove it and peers makes a new one");
        }
        checkOwner(what, facts, "remove it and peers makes a new one");
    }

    private static void checkOwner(String what, Facts facts, String fix) throws IOException {
        if (facts.uid() == null) {
            return; // no Unix owners here
        }
        int own = currentUid();
        if (facts.uid() != own) {
            throw new NotPrivateException(what + " belongs to " + facts.owner() + " (uid " + facts.uid() + "), not to "
                    + System.getProperty("user.name") + " (uid " + own + ") who runs peers: " + fix);
        }
    }

    private static void create(Path dir) throws IOException {
        Path parent = dir.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent, folderAttributes());
        }
        try {
            Files.createDirectory(dir, folderAttributes());
        } catch (FileAlreadyExistsException e) {
            return; // another process made it at the same moment: checked like any existing folder
        }
        if (POSIX) {
            Files.setPosixFilePermissions(dir, FOLDER_MODE); // exactly, whatever the umask took away
        }
    }

    private static FileAttribute<?>[] folderAttributes() {
        return POSIX
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FOLDER_MODE)}
                : new FileAttribute<?>[0];
    }

    /** One {@code lstat}: the type, and the owner and mode where the file system has them. */
    @SuppressWarnings("unchecked")
    private static Facts facts(Path path) throws IOException {
        if (UNIX) {
            Map<String, Object> a = Files.readAttributes(path, FACTS, NOFOLLOW_LINKS);
            return new Facts(
                    (Boolean) a.get("isSymbolicLink"),
                    (Boolean) a.get("isDirectory"),
                    (Boolean) a.get("isRegularFile"),
                    ((Number) a.get("uid")).intValue(),
                    ((UserPrincipal) a.get("owner")).getName(),
                    (Set<PosixFilePermission>) a.get("permissions"));
        }
        var a = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class, NOFOLLOW_LINKS);
        return new Facts(a.isSymbolicLink(), a.isDirectory(), a.isRegularFile(), null, null, null);
    }

    private record Facts(
            boolean link, boolean folder, boolean regular, Integer uid, String owner, Set<PosixFilePermission> mode) {}
}
