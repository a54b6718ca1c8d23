using System.Diagnostics;

namespace DiMml.MLNet.Scoring;

/// <summary>
/// An ONNX graph written to a file that this object owns. ML.NET's ApplyOnnxModel(Stream) copies the bytes to a
/// temp file it never deletes, and the file overload re-reads its file when the model is saved; so the scoring
/// chain is built from a file we delete on Dispose (or when this object is collected). Files left by processes
/// that died are swept on the next creation.
/// </summary>
internal sealed class OnnxModelFile : IDisposable
{
    private static readonly string Folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "DiMml.MLNet");

    public OnnxModelFile(byte[] bytes)
    {
        Directory.CreateDirectory(Folder);
        SweepOrphans();
        Path = System.IO.Path.Combine(Folder, $"{Environment.ProcessId}-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(Path, bytes);
    }

    ~OnnxModelFile() => Delete();

    public string Path { get; }

    public void Dispose()
    {
        Delete();
        GC.SuppressFinalize(this);
    }

    private void Delete()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void SweepOrphans()
    {
        foreach (var file in Directory.EnumerateFiles(Folder, "*.onnx"))
        {
            var name = System.IO.Path.GetFileName(file);
            if (int.TryParse(name.AsSpan(0, Math.Max(0, name.IndexOf('-'))), out var pid) && !IsRunning(pid))
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
