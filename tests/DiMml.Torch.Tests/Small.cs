using DiMml.Torch.Training;

namespace DiMml.Torch.Tests;

/// <summary>Small, fast option sets for tests.</summary>
internal static class Small
{
    public static List<ModalityOptions> Modalities(int count) =>
        Enumerable.Range(0, count).Select(m => new ModalityOptions($"m{m}") { HiddenSizes = [32] }).ToList();

    // The paper's fusion: these tests are about training, not the fusion choice, and the default's held-out choice and refit
    // would train stage 1 twice. The tests of the default set Inference themselves (FusionSelectionTests, FusionChoiceTests).
    public static DiMmlOptions DiMml(int modalities, int epochs = 8, int seed = 0) => new()
    {
        Inference = InferenceFusion.CertaintyWeighting,
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
