using DiMml.Torch.Training;

namespace DiMml.Torch.Tests;

/// <summary>Small, fast option sets for tests.</summary>
internal static class Small
{
    public static List<ModalityOptions> Modalities(int count) =>
        Enumerable.Range(0, count).Select(m => new ModalityOptions($"m{m}") { HiddenSizes = [32] }).ToList();

    public static DiMmlOptions DiMml(int modalities, int epochs = 8, int seed = 0) => new()
    {
        Modalities = Modalities(modalities),
        Epochs = epochs,
        BatchSize = 32,
        LearningRate = 0.05,
        EmbeddingSize = 32,
        FusionEpochs = 4,
        Seed = seed,
    };

    public static TrainerOptions Baseline(int modalities, int epochs = 8) => new()
    {
        Modalities = Modalities(modalities),
        Epochs = epochs,
        BatchSize = 32,
        LearningRate = 0.05,
        EmbeddingSize = 32,
    };
}
