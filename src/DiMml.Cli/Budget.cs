namespace DiMml.Cli;

/// <summary>The training budget every method gets in a comparison (stage-2 fusion epochs are counted separately).</summary>
internal sealed record Budget(
    int Epochs, int FusionEpochs, int BatchSize, double LearningRate, int EmbeddingSize, int Hidden, int Seed, int Threads,
    string? CheckpointDirectory = null, string? ResumeFrom = null)
{
    public static Budget From(CommandLine line) => new(
        line.Int("--epochs"),
        line.Int("--fusion-epochs"),
        line.Int("--batch-size"),
        line.Double("--lr"),
        line.Int("--embedding"),
        line.Int("--hidden"),
        line.Int("--seed"),
        line.Int("--threads"),
        line.Optional("--checkpoint-dir"),
        line.Optional("--resume"));

    public override string ToString() =>
        $"{Epochs} epochs (+{FusionEpochs} fusion-head epochs for DI-MML), batch {BatchSize}, lr {LearningRate}, D = {EmbeddingSize}, " +
            $"hidden {Hidden}, seed {Seed}";
}
