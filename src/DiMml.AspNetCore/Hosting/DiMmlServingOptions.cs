using Microsoft.ML.OnnxRuntime;

namespace DiMml;

/// <summary>Settings of a served model
/// (<see cref="Microsoft.Extensions.DependencyInjection.DiMmlServiceCollectionExtensions.AddDiMmlModel"/>); defaults suit a
/// 2-core machine serving single-row requests.</summary>
public sealed class DiMmlServingOptions
{
    /// <summary>Whether concurrent requests are scored together in one ONNX Runtime call. Default true; false scores each
    /// request on its own (for comparison).</summary>
    public bool CoalesceRequests { get; set; } = true;

    /// <summary>Most rows in one coalesced call. Default 64.</summary>
    public int MaxBatchRows { get; set; } = 64;

    /// <summary>How long the first request of a batch waits for others to join it. Default 1 ms; a lone request is never
    /// delayed longer.</summary>
    public TimeSpan MaxBatchWait { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Most rows in one request. Default 1024.</summary>
    public int MaxRowsPerRequest { get; set; } = 1024;

    /// <summary>Largest JSON request body, in bytes. Default 8 MiB.</summary>
    public long MaxRequestBytes { get; set; } = 8 << 20;

    /// <summary>Largest upload to <c>POST {prefix}/predict/files</c>, all parts together, in bytes. Default 16 MiB. Kestrel's own
    /// request body limit is raised to fit it for that endpoint.</summary>
    public long MaxUploadBytes { get; set; } = 16 << 20;

    /// <summary>Whether a changed model file is loaded and swapped in while serving. Default true.</summary>
    public bool WatchModelFile { get; set; } = true;

    /// <summary>ONNX Runtime session settings (threads, execution provider); null for the defaults: one intra-op thread per
    /// call when requests are scored alone (they run side by side), one per core when coalescing (one batch at a time), and
    /// no spinning between calls either way.</summary>
    public SessionOptions? SessionOptions { get; set; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    internal void Validate()
    {
        static void Require(bool condition, string name, string rule)
        {
            if (!condition)
            {
                throw new ArgumentException($"DiMmlServingOptions.{name} {rule}.", name);
            }
        }

        Require(MaxBatchRows > 0, nameof(MaxBatchRows), $"is {MaxBatchRows}; it must be at least 1");
        Require(MaxBatchWait >= TimeSpan.Zero && MaxBatchWait <= TimeSpan.FromSeconds(1), nameof(MaxBatchWait),
            $"is {MaxBatchWait}; use 0 to 1 s");
        Require(MaxRowsPerRequest > 0, nameof(MaxRowsPerRequest), $"is {MaxRowsPerRequest}; it must be at least 1");
        Require(MaxRequestBytes > 0, nameof(MaxRequestBytes), $"is {MaxRequestBytes}; it must be positive");
        Require(MaxUploadBytes > 0, nameof(MaxUploadBytes), $"is {MaxUploadBytes}; it must be positive");
    }
}
