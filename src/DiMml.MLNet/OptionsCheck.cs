using DiMml.Torch.Inference;
using DiMml.Torch.Modules;
using DiMml.Torch.Training;
using TorchSharp;

namespace DiMml.MLNet;

/// <summary>Validates the shared trainer options and maps them to the core's.</summary>
internal static class OptionsCheck
{
    public static void Validate(MultimodalTrainerOptions options, int minModalities, int maxModalities, string method)
    {
        Require(!string.IsNullOrWhiteSpace(options.LabelColumnName), nameof(options.LabelColumnName), "is empty; name the key-typed label column");
        Require(options.Modalities.Count >= minModalities && options.Modalities.Count <= maxModalities, nameof(options.Modalities),
            $"has {options.Modalities.Count} modalities; {method} needs {(minModalities == maxModalities ? $"exactly {minModalities}" : $"at least {minModalities}")} (one ModalityOptions per modality column)");
        foreach (var (modality, index) in options.Modalities.Select((m, i) => (m, i)))
        {
            Require(modality is not null, nameof(options.Modalities), $"entry {index} is null");
            Require(!string.IsNullOrWhiteSpace(modality!.ColumnName), nameof(options.Modalities), $"entry {index} has no ColumnName; set it to the modality's vector column");
            Require(modality.HiddenSizes is not null && modality.HiddenSizes.All(h => h > 0), nameof(ModalityOptions.HiddenSizes),
                $"of modality '{modality.EffectiveName}' must be positive widths (or empty for no hidden layer)");
            Require(Enum.IsDefined(modality.Encoder), nameof(ModalityOptions.Encoder), $"of modality '{modality.EffectiveName}' is not a known encoder");
            Require(modality.Encoder != EncoderKind.ResNet18 || (modality.Height > 0 && modality.Width > 0 && modality.Channels > 0 && modality.Frames > 0),
                nameof(ModalityOptions.Height), $"and Width of ResNet-18 modality '{modality.EffectiveName}' must be set (with Channels and Frames > 0) to the image size its column holds");
            Require(modality.Augmentation is not null, nameof(ModalityOptions.Augmentation), $"of modality '{modality.EffectiveName}' is null; use Augmentation.None");
            Require(!modality.Augmentation!.Enabled || (modality.Height > 0 && modality.Width > 0), nameof(ModalityOptions.Augmentation),
                $"of modality '{modality.EffectiveName}' needs its Height and Width");
            Require(modality.Normalization is null || modality.Encoder == EncoderKind.ResNet18, nameof(ModalityOptions.Normalization),
                $"of modality '{modality.EffectiveName}' is applied by the ResNet-18 encoder; for an MLP, standardise the column in the pipeline (NormalizeMeanVariance)");
        }

        var duplicateName = options.Modalities.GroupBy(m => m.EffectiveName).FirstOrDefault(g => g.Count() > 1)?.Key;
        Require(duplicateName is null, nameof(options.Modalities), $"name '{duplicateName}' twice; give each modality a unique Name");
        var duplicateColumn = options.Modalities.GroupBy(m => m.ColumnName).FirstOrDefault(g => g.Count() > 1)?.Key;
        Require(duplicateColumn is null, nameof(options.Modalities), $"use column '{duplicateColumn}' twice; each modality needs its own column");
        Require(options.Modalities.All(m => m.Encoder != EncoderKind.ResNet18) || (options.EmbeddingSize >= 8 && options.EmbeddingSize % 8 == 0), nameof(options.EmbeddingSize),
            $"is {options.EmbeddingSize}; ResNet-18 encoders need a multiple of 8 (their stage widths are EmbeddingSize/8 ... EmbeddingSize; paper 512)");
        Require(options.MemoryBudgetBytes is null or > 0, nameof(options.MemoryBudgetBytes), $"is {options.MemoryBudgetBytes}; it must be positive, or null for the default");
        Require(options.NumberOfThreads is null or > 0, nameof(options.NumberOfThreads), $"is {options.NumberOfThreads}; it must be at least 1, or null");
    }

    public static void ValidateFusion(FusionHeadKind fusion, int modalities) =>
        Require(fusion is not (FusionHeadKind.Film or FusionHeadKind.Gated) || modalities == 2, "FusionHead",
            $"is {fusion}, which needs exactly 2 modalities; use Concat or Sum for {modalities}");

    /// <summary>The modalities as the core sees them.</summary>
    public static List<ModalitySpec> Specs(MultimodalTrainerOptions options) => options.Modalities.Select(m => new ModalitySpec(m.EffectiveName)
    {
        Encoder = m.Encoder,
        HiddenSizes = m.HiddenSizes,
        Shape = m.Height > 0 || m.Width > 0 || m.Encoder == EncoderKind.ResNet18
            ? new ModalityShape(m.Channels, m.Frames, m.Height, m.Width)
            : null,
        Augmentation = m.Augmentation,
        Normalization = m.Normalization,
    }).ToList();

    /// <summary>Copies the shared options into the core's options.</summary>
    public static void Apply(MultimodalTrainerOptions options, TrainerOptions core, int seed, Action<EpochRecord> onEpoch)
    {
        core.Epochs = options.Epochs;
        core.BatchSize = options.BatchSize;
        core.LearningRate = options.LearningRate;
        core.Momentum = options.Momentum;
        core.WeightDecay = options.WeightDecay;
        core.LrStepSize = options.LrStepSize;
        core.LrGamma = options.LrGamma;
        core.EmbeddingSize = options.EmbeddingSize;
        core.Device = options.Device;
        core.Seed = seed;
        core.EpochCompleted = onEpoch;
        core.CheckpointDirectory = options.CheckpointDirectory;
        core.CheckpointsToKeep = options.CheckpointsToKeep;
        core.ResumeFrom = options.ResumeFrom;
        core.EarlyStoppingPatience = options.EarlyStoppingPatience;
        core.SelectBestOnValidation = options.SelectBestOnValidation;
    }

    /// <summary>A model of the right kind and outputs with tiny untrained MLP encoders, for output schemas.</summary>
    public static MultimodalModel UntrainedModel(IReadOnlyList<string> names, int classes, FusionHeadKind fusion, ModelKind kind, CertaintyWeighting weighting)
    {
        var encoders = names.Select(_ => (ModalityEncoder)new MlpEncoder(1, [], 1)).ToArray();
        var network = new MultimodalNetwork(encoders, classes, fusion, seed: 0);
        return new MultimodalModel(network, kind, names, new TrainingHistory(), null, weighting, torch.CPU);
    }

    private static void Require(bool condition, string option, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"Option {option} {problem}.", option);
        }
    }
}
