using System.Reflection;
using System.Security.Cryptography;
using DiMml.AspNetCore.Files;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace DiMml.AspNetCore;

/// <summary>
/// Holds the served model and swaps in a new version when the file changes: the new file is read whole, checked and loaded
/// beside the old one, then replaces it in one step; batches already scoring finish on the version they leased. A file that
/// does not load (still being written, or broken) leaves the current version serving and is logged.
/// </summary>
internal sealed partial class ModelHost : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(200);
    private readonly string path;
    private readonly DiMmlServingOptions options;
    private readonly ILogger logger;
    private readonly FileSystemWatcher? watcher;
    private readonly Timer reloadTimer;
    private readonly object reloadLock = new();
    private ServedModel current;
    private bool disposed;

    public ModelHost(string path, DiMmlServingOptions options, ILogger<ModelHost> logger)
    {
        this.path = Path.GetFullPath(path);
        this.options = options;
        this.logger = logger;
        current = Load(File.ReadAllBytes(this.path));
        reloadTimer = new Timer(_ => TryReload());
        if (options.WatchModelFile)
        {
            watcher = new FileSystemWatcher(Path.GetDirectoryName(this.path)!, Path.GetFileName(this.path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
            };
            watcher.Changed += (_, _) => ScheduleReload();
            watcher.Created += (_, _) => ScheduleReload();
            watcher.Renamed += (_, _) => ScheduleReload();
            watcher.EnableRaisingEvents = true;
        }
    }

    /// <summary>The card of the version serving now.</summary>
    public ModelCard Card => Volatile.Read(ref current).Card;

    /// <summary>Times a new version has been swapped in.</summary>
    public int Swaps { get; private set; }

    /// <summary>The version serving now, leased: call <see cref="ServedModel.Release"/> when done with it.</summary>
    public ServedModel Lease()
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed), this);
            var model = Volatile.Read(ref current);
            if (model.TryLease())
            {
                return model;
            }
        }
    }

    /// <summary>Loads the file now and swaps it in if it differs from the version serving; returns whether it did.</summary>
    /// <exception cref="InvalidDataException">The file does not load.</exception>
    public bool Reload()
    {
        lock (reloadLock)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            var bytes = File.ReadAllBytes(path);
            if (Hash(bytes) == current.Card.Sha256)
            {
                return false;
            }

            var next = Load(bytes);
            var old = Interlocked.Exchange(ref current, next);
            old.Release();
            Swaps++;
            LogSwapped(logger, path, next.Card.Sha256);
            return true;
        }
    }

    // Editors and copies raise several events per write; reload once the file has been quiet for a moment.
    private void ScheduleReload() => reloadTimer.Change(Settle, Timeout.InfiniteTimeSpan);

    private void TryReload()
    {
        try
        {
            Reload();
        }
        catch (Exception e) when (e is not (OutOfMemoryException or ObjectDisposedException))
        {
            // On a timer thread: anything a replacement file can cause is logged, never allowed to end the process.
            LogNotLoaded(logger, path, e.Message, current.Card.Sha256);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private ServedModel Load(byte[] bytes)
    {
        try
        {
            return LoadUnchecked(bytes);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or OnnxRuntimeException
            or Google.Protobuf.InvalidProtocolBufferException)
        {
            throw new InvalidDataException($"'{path}' is not a DI-MML model file that can be served ({e.Message}); save the " +
                "model with mlContext.Model.Save from a DI-MML pipeline.", e);
        }
    }

    private ServedModel LoadUnchecked(byte[] bytes)
    {
        using var zip = new MemoryStream(bytes, writable: false);
        var info = DiMmlModelInfo.Read(zip);
        zip.Position = 0;
        var scorer = BulkScorer.FromModelZip(zip, options.SessionOptions ?? DefaultSessionOptions(options.CoalesceRequests));
        var (featurizer, problem) = FileFeaturizer.TryLoad(bytes, info);
        if (problem is not null)
        {
            LogNoFeaturizers(logger, path, problem);
        }

        var modalities = scorer.ModalityNames.Count == scorer.InputColumns.Count ? scorer.ModalityNames : scorer.InputColumns;
        var card = new ModelCard(
            modalities.Select((name, m) => new ModalityCard(name, scorer.InputColumns[m], scorer.InputSizes[m])).ToArray(),
            featurizer?.FileInputs ?? [], scorer.ClassNames, info.BranchNames, info.Fusion, info.Version, ServerVersion,
            DateTimeOffset.UtcNow, Hash(bytes));
        return new ServedModel(scorer, card, featurizer, problem);
    }

    // One batch scores at a time when coalescing, so it may use every core; requests scored alone run side by side, one core
    // each. Threads sleep rather than spin between calls, leaving the cores to the HTTP work in between.
    private static SessionOptions DefaultSessionOptions(bool coalesce)
    {
        var session = new SessionOptions { IntraOpNumThreads = coalesce ? Environment.ProcessorCount : 1 };
        session.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return session;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving a new version of {Path} (sha256 {Hash}).")]
    private static partial void LogSwapped(ILogger logger, string path, string hash);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path}: uploads to predict/files cannot be served: {Reason}")]
    private static partial void LogNoFeaturizers(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} changed but does not load ({Reason}); still serving sha256 {Hash}.")]
    private static partial void LogNotLoaded(ILogger logger, string path, string reason, string hash);

    private static string ServerVersion =>
        typeof(ModelHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public void Dispose()
    {
        lock (reloadLock)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            watcher?.Dispose();
            reloadTimer.Dispose();
            current.Release();
        }
    }
}
