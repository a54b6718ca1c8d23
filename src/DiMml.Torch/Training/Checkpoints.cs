using System.Text.Json;
using DiMml.Torch.Losses;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Training;

/// <summary>What a checkpoint records besides the weights and the optimiser state.</summary>
/// <param name="Stage">The stage whose epoch just finished.</param>
/// <param name="Epoch">That epoch (0-based within the stage).</param>
/// <param name="History">Every epoch record so far.</param>
/// <param name="DimensionScores">Effective-dimension scores per modality, when computed.</param>
/// <param name="DimensionDead">Dead-dimension flags per modality, when computed.</param>
internal sealed record CheckpointState(
    TrainingStage Stage, int Epoch, List<EpochRecord> History, float[][]? DimensionScores, bool[][]? DimensionDead)
{
    public EffectiveDimensions? Dimensions =>
        DimensionScores is null || DimensionDead is null ? null : new EffectiveDimensions(DimensionScores, DimensionDead);
}

/// <summary>
/// Checkpoint files: <c>checkpoint-{stage}-{epoch}.bin</c>, each written to a temporary file and renamed into
/// place, so a crash never leaves a half-written checkpoint; the newest <c>keep</c> are kept. Batch order and
/// augmentation depend only on (seed, epoch), so no random-generator state is needed to resume exactly.
/// </summary>
internal static class Checkpoints
{
    private const string Prefix = "checkpoint-";

    public static void Save(string directory, CheckpointState state, nn.Module network, OptimizerHelper optimizer, int keep)
    {
        Write(Path.Combine(directory, $"{Prefix}{(int)state.Stage}-{state.Epoch:D5}.bin"), state, network, optimizer);
        foreach (var old in List(directory).SkipLast(keep))
        {
            File.Delete(old);
        }
    }

    /// <summary>Writes the best-on-validation checkpoint of a stage, <c>best-{stage}.bin</c>, kept whatever the pruning.</summary>
    public static void SaveBest(string directory, CheckpointState state, nn.Module network, OptimizerHelper optimizer) =>
        Write(BestPath(directory, state.Stage), state, network, optimizer);

    /// <summary>Loads the weights of <c>best-{stage}.bin</c> into <paramref name="network"/>, checking that the file
    /// records <paramref name="epoch"/> of <paramref name="stage"/> (the best epoch the resumed history names).</summary>
    public static void LoadBest(string directory, TrainingStage stage, int epoch, nn.Module network)
    {
        var path = BestPath(directory, stage);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"Cannot resume with SelectBestOnValidation: the best validation epoch of stage {stage} ({epoch}) came before the " +
                    $"checkpoint, " +
                $"but '{path}' that holds its weights is missing. Put it back beside the checkpoints, or set SelectBestOnValidation = " +
                    $"false.", path);
        }

        var (state, _) = Load(path, network);
        if (state.Stage != stage || state.Epoch != epoch)
        {
            throw new InvalidDataException(
                $"'{path}' holds stage {state.Stage}, epoch {state.Epoch}, but the resumed history's best validation epoch is stage " +
                    $"{stage}, " +
                $"epoch {epoch}: it belongs to another run. Resume from that run's directory, or set SelectBestOnValidation = false.");
        }
    }

    private static string BestPath(string directory, TrainingStage stage) => Path.Combine(directory, $"best-{(int)stage}.bin");

    private static void Write(string path, CheckpointState state, nn.Module network, OptimizerHelper optimizer)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        using (var file = new BinaryWriter(File.Create(temporary)))
        {
            file.Write(JsonSerializer.Serialize(state));
            network.save(file);
            optimizer.save_state_dict(file);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Loads the checkpoint at <paramref name="path"/>, or the newest one in that directory; restores the
    /// network's weights and returns the state and a reader positioned at the optimiser state.</summary>
    public static (CheckpointState State, byte[] OptimizerState) Load(string path, nn.Module network)
    {
        var file = Directory.Exists(path)
            ? List(path).LastOrDefault() ?? throw new FileNotFoundException($"No checkpoint in '{path}' (files named {Prefix}*.bin).", path)
            : File.Exists(path) ? path : throw new FileNotFoundException($"ResumeFrom '{path}' is neither a checkpoint file nor a " +
                $"directory.", path);
        try
        {
            using var reader = new BinaryReader(File.OpenRead(file));
            var state = JsonSerializer.Deserialize<CheckpointState>(reader.ReadString())
                ?? throw new InvalidDataException("empty state");
            network.load(reader);
            using var rest = new MemoryStream();
            reader.BaseStream.CopyTo(rest);
            return (state, rest.ToArray());
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or EndOfStreamException or ArgumentException)
        {
            throw new InvalidDataException($"Checkpoint '{file}' cannot be read ({e.Message}); it belongs to another model or was altered.",
                e);
        }
    }

    public static void LoadOptimizer(OptimizerHelper optimizer, byte[] state)
    {
        using var reader = new BinaryReader(new MemoryStream(state));
        optimizer.load_state_dict(reader);
    }

    // Sorted oldest first: stage, then epoch (the names sort that way).
    private static IEnumerable<string> List(string directory) =>
        Directory.EnumerateFiles(directory, $"{Prefix}*.bin").Order(StringComparer.Ordinal);
}
