namespace DiMml.Cli;

/// <summary>The training budget every method gets in a comparison (stage-2 fusion epochs are counted separately).</summary>
internal sealed record Budget(
    int Epochs, int FusionEpochs, int BatchSize, double LearningRate, int EmbeddingSize, int Hidden, int Seed, int Threads,
    string? CheckpointDirectory = null, string? ResumeFrom = null)
{
    public static Budget From(CommandLine line) => new(
        line.Int("--epochs", 10),
        line.Int("--fusion-epochs", 5),
        line.Int("--batch-size", 32),
        line.Double("--lr", 0.01, 0),
        line.Int("--embedding", 128),
        line.Int("--hidden", 256),
        line.Int("--seed", 0, minimum: 0),
        line.Int("--threads", 1),
        line.Optional("--checkpoint-dir"),
        line.Optional("--resume"));

    public override string ToString() =>
        $"{Epochs} epochs (+{FusionEpochs} fusion-head epochs for DI-MML), batch {BatchSize}, lr {LearningRate}, D = {EmbeddingSize}, hidden {Hidden}, seed {Seed}";
}
