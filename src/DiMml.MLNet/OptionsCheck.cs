using DiMml.Torch.Training;

namespace DiMml.MLNet;

/// <summary>Validates <see cref="DiMmlTrainer.Options"/> and maps them to the core's options.</summary>
internal static class OptionsCheck
{
    public static void Validate(DiMmlTrainer.Options options)
    {
        Require(!string.IsNullOrWhiteSpace(options.LabelColumnName), nameof(options.LabelColumnName), "is empty; name the key-typed label column");
        Require(options.Modalities.Count >= 2, nameof(options.Modalities),
            $"has {options.Modalities.Count} modality; DI-MML needs at least 2 (add one ModalityOptions per modality column)");
        foreach (var (modality, index) in options.Modalities.Select((m, i) => (m, i)))
        {
            Require(modality is not null, nameof(options.Modalities), $"entry {index} is null");
            Require(!string.IsNullOrWhiteSpace(modality!.ColumnName), nameof(options.Modalities), $"entry {index} has no ColumnName; set it to the modality's vector column");
            Require(modality.HiddenSizes is not null && modality.HiddenSizes.All(h => h > 0), nameof(ModalityOptions.HiddenSizes),
                $"of modality '{modality.EffectiveName}' must be positive widths (or empty for no hidden layer)");
            Require(Enum.IsDefined(modality.Encoder), nameof(ModalityOptions.Encoder), $"of modality '{modality.EffectiveName}' is not a known encoder");
            Require(modality.Encoder != EncoderKind.ResNet18 || (modality.Height > 0 && modality.Width > 0 && modality.Channels > 0 && modality.Frames > 0),
                nameof(ModalityOptions.Height), $"and Width of ResNet-18 modality '{modality.EffectiveName}' must be set (with Channels and Frames > 0) to the image size its column holds");
            Require(modality.CropPadding >= 0, nameof(ModalityOptions.CropPadding), $"of modality '{modality.EffectiveName}' is {modality.CropPadding}; it must be >= 0");
            Require((modality.CropPadding == 0 && !modality.HorizontalFlip) || (modality.Height > 0 && modality.Width > 0), nameof(ModalityOptions.CropPadding),
                $"and HorizontalFlip of modality '{modality.EffectiveName}' need its Height and Width");
        }

        var duplicateName = options.Modalities.GroupBy(m => m.EffectiveName).FirstOrDefault(g => g.Count() > 1)?.Key;
        Require(duplicateName is null, nameof(options.Modalities), $"name '{duplicateName}' twice; give each modality a unique Name");
        var duplicateColumn = options.Modalities.GroupBy(m => m.ColumnName).FirstOrDefault(g => g.Count() > 1)?.Key;
        Require(duplicateColumn is null, nameof(options.Modalities), $"use column '{duplicateColumn}' twice; each modality needs its own column");
        Require(options.FusionHead is not (FusionHeadKind.Film or FusionHeadKind.Gated) || options.Modalities.Count == 2, nameof(options.FusionHead),
            $"is {options.FusionHead}, which needs exactly 2 modalities; use Concat or Sum for {options.Modalities.Count}");
        Require(options.Modalities.All(m => m.Encoder != EncoderKind.ResNet18) || (options.EmbeddingSize >= 8 && options.EmbeddingSize % 8 == 0), nameof(options.EmbeddingSize),
            $"is {options.EmbeddingSize}; ResNet-18 encoders need a multiple of 8 (their stage widths are EmbeddingSize/8 ... EmbeddingSize; paper 512)");
        Require(options.MemoryBudgetBytes is null or > 0, nameof(options.MemoryBudgetBytes), $"is {options.MemoryBudgetBytes}; it must be positive, or null for the default");
        Require(options.NumberOfThreads is null or > 0, nameof(options.NumberOfThreads), $"is {options.NumberOfThreads}; it must be at least 1, or null");
        ToCore(options).Validate(options.Modalities.Count);
    }

    public static DiMmlOptions ToCore(DiMmlTrainer.Options options) => new()
    {
        Modalities = options.Modalities.Select(ToCore).ToList(),
        Epochs = options.Epochs,
        BatchSize = options.BatchSize,
        LearningRate = options.LearningRate,
        Momentum = options.Momentum,
        WeightDecay = options.WeightDecay,
        LrStepSize = options.LrStepSize,
        LrGamma = options.LrGamma,
        EmbeddingSize = options.EmbeddingSize,
        FusionHead = (Torch.Modules.FusionHeadKind)(int)options.FusionHead,
        Device = (Torch.Training.TrainingDevice)(int)options.Device,
        DucStartEpoch = options.DucStartEpoch,
        DucTemperature = options.DucTemperature,
        DucWeight = options.DucWeight,
        SharedHeadWeight = options.SharedHeadWeight,
        DimensionRefreshInterval = options.DimensionRefreshInterval,
        FusionEpochs = options.FusionEpochs,
        CertaintyTemperature = options.CertaintyTemperature,
    };

    private static ModalitySpec ToCore(ModalityOptions m) => new(m.EffectiveName)
    {
        Encoder = (Torch.Modules.EncoderKind)(int)m.Encoder,
        HiddenSizes = m.HiddenSizes,
        Shape = m.Height > 0 || m.Width > 0 || m.Encoder == EncoderKind.ResNet18
            ? new Torch.Modules.ModalityShape(m.Channels, m.Frames, m.Height, m.Width)
            : null,
        Augmentation = new Torch.Data.Augmentation(m.CropPadding, m.HorizontalFlip),
    };

    private static void Require(bool condition, string option, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"Option {option} {problem}.", option);
        }
    }
}
