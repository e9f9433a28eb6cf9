using System.Buffers;
using System.Buffers.Text;

namespace OrchardShopify.Bench.Ingest;

/// <summary>
/// What this process's resident memory (its working set) is made of, by kind of mapping, read from Linux's
/// <c>/proc/self/smaps</c>: anonymous memory (the GC heap, native allocations such as SQLite's page caches, thread
/// stacks), the runtime's code and type data (JIT-compiled code, stubs and loader heaps, which the runtime maps twice
/// from a shared memory file so that no page is writable and executable at once), assemblies and native libraries
/// mapped from disk, and other files. Each page is counted once (every mapping's own resident pages).
/// </summary>
internal sealed record ResidentMemory(long Anonymous, long RuntimeCode, long Assemblies, long NativeLibraries, long OtherFiles)
{
    private static readonly string Path = "/proc/self/smaps";

    public long Total => Anonymous + RuntimeCode + Assemblies + NativeLibraries + OtherFiles;

    /// <summary>The process's resident memory now, by kind; null where <c>/proc/self/smaps</c> cannot be read (not Linux).</summary>
    public static ResidentMemory? Read()
    {
        // Read into a pooled buffer and parsed as bytes: a few thousand mappings, about 1 MB of text, read while the import
        // runs, so the reading itself allocates next to nothing on the heap it measures.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4 << 20);
        try
        {
            int length;
            try
            {
                using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.None);
                length = 0;
                int read;
                while (length < buffer.Length && (read = file.Read(buffer, length, buffer.Length - length)) > 0)
                {
                    length += read;
                }
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }

            return Parse(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal static ResidentMemory Parse(ReadOnlySpan<byte> smaps)
    {
        long anonymous = 0, code = 0, assemblies = 0, libraries = 0, other = 0;
        var kind = Kind.Anonymous;
        while (!smaps.IsEmpty)
        {
            var end = smaps.IndexOf((byte)'\n');
            var line = end < 0 ? smaps : smaps[..end];
            smaps = end < 0 ? default : smaps[(end + 1)..];
            if (line.StartsWith("Rss:"u8))
            {
                var kb = ParseKilobytes(line["Rss:".Length..]) * 1024;
                switch (kind)
                {
                    case Kind.Anonymous: anonymous += kb; break;
                    case Kind.RuntimeCode: code += kb; break;
                    case Kind.Assembly: assemblies += kb; break;
                    case Kind.NativeLibrary: libraries += kb; break;
                    default: other += kb; break;
                }
            }
            else if (IsMappingHeader(line))
            {
                kind = KindOf(PathOf(line));
            }
        }

        return new ResidentMemory(anonymous, code, assemblies, libraries, other);
    }

    /// <summary>A mapping's header: <c>start-end perms offset dev inode [path]</c>, starting with a hexadecimal address.</summary>
    private static bool IsMappingHeader(ReadOnlySpan<byte> line)
    {
        var dash = line.IndexOf((byte)'-');
        if (dash <= 0)
        {
            return false;
        }

        foreach (var c in line[..dash])
        {
            if (!char.IsAsciiHexDigit((char)c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The mapping's path (the sixth field, which may hold spaces); empty for anonymous memory.</summary>
    private static ReadOnlySpan<byte> PathOf(ReadOnlySpan<byte> header)
    {
        var rest = header;
        for (var field = 0; field < 5; field++)
        {
            var space = rest.IndexOf((byte)' ');
            if (space < 0)
            {
                return default;
            }

            rest = rest[(space + 1)..].TrimStart((byte)' ');
        }

        return rest.TrimEnd((byte)' ');
    }

    private static Kind KindOf(ReadOnlySpan<byte> path)
    {
        if (path.IsEmpty || path[0] == (byte)'[')
        {
            // No file: [heap], [stack], [anon:…] and plain anonymous mappings.
            return path.StartsWith("[vdso]"u8) || path.StartsWith("[vvar"u8) || path.StartsWith("[vsyscall]"u8) ? Kind.Other : Kind.Anonymous;
        }

        if (path.IndexOf("doublemapper"u8) >= 0)
        {
            return Kind.RuntimeCode;
        }

        if (path.EndsWith(".dll"u8))
        {
            return Kind.Assembly;
        }

        if (path.EndsWith(".so"u8) || path.IndexOf(".so."u8) >= 0)
        {
            return Kind.NativeLibrary;
        }

        return Kind.Other;
    }

    private static long ParseKilobytes(ReadOnlySpan<byte> text)
    {
        return Utf8Parser.TryParse(text.TrimStart((byte)' '), out long kilobytes, out _) ? kilobytes : 0;
    }

    private enum Kind
    {
        Anonymous,
        RuntimeCode,
        Assembly,
        NativeLibrary,
        Other,
    }
}
