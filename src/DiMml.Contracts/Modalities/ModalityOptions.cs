namespace DiMml;

/// <summary>One modality of a training run, in the core and in the ML.NET trainers alike: its name, the column that holds
/// it (ML.NET), its encoder's architecture, its input layout, augmentation and normalisation.</summary>
public sealed class ModalityOptions
{
    private string? name;

    /// <summary>Creates options for a modality whose <see cref="ColumnName"/> (ML.NET) or <see cref="Name"/> is set next.</summary>
    public ModalityOptions()
    {
    }

    /// <summary>Creates options for modality <paramref name="name"/> with the default MLP encoder.</summary>
    /// <param name="name">Name used in logs, history keys, output columns and diagnostics.</param>
    public ModalityOptions(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>Name of the modality, used in logs, history keys, output columns (<c>Score.{Name}</c>) and diagnostics.
    /// Defaults to <see cref="ColumnName"/>.</summary>
    public string Name
    {
        get => string.IsNullOrWhiteSpace(name) ? ColumnName : name;
        set => name = value;
    }

    /// <summary>For the ML.NET trainers: the input column, a known-size vector of <see cref="float"/> (e.g. from
    /// Concatenate or ExtractPixels). Required there; unused by the core learners, which take tensors in modality order.</summary>
    public string ColumnName { get; set; } = "";

    /// <summary>Encoder architecture. Default <see cref="EncoderKind.Mlp"/>.</summary>
    public EncoderKind Encoder { get; set; } = EncoderKind.Mlp;

    /// <summary>Hidden layer widths of the MLP encoder. Default: one hidden layer of 256.</summary>
    public IReadOnlyList<int> HiddenSizes { get; set; } = [256];

    /// <summary>Layout of the flat input vector (frames x channels x height x width); required by ResNet-18 and by
    /// augmentation, optional for an MLP. Default null.</summary>
    public ModalityShape? Shape { get; set; }

    /// <summary>Training-time augmentation of this modality (never at evaluation or in the effective-dimension pass; in
    /// stage 2 only with the trainer's <c>FusionFeatures</c> = <see cref="FusionFeatures.AugmentedBatches"/>).
    /// Default <see cref="Augmentation.None"/>; <see cref="Augmentation.Paper"/> is the authors' recipe for images and
    /// frames.</summary>
    public Augmentation Augmentation { get; set; } = Augmentation.None;

    /// <summary>Per-channel standardisation of the input, applied by the ResNet-18 encoder (in training and in the
    /// exported model) after augmentation; null for none (default). <see cref="ChannelNormalization.ImageNet"/> is the
    /// authors' choice for RGB frames in [0, 1]. For an MLP modality, standardise the column in the pipeline instead.</summary>
    public ChannelNormalization? Normalization { get; set; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the modality and the first setting that cannot work.</summary>
    public void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(Name), "has no Name; name every modality");
        Require(Enum.IsDefined(Encoder), $"has Encoder {Encoder}; use one of {string.Join(", ", Enum.GetNames<EncoderKind>())}");
        Require(HiddenSizes is not null && HiddenSizes.All(h => h > 0), "has HiddenSizes that are not all positive widths (give an empty " +
            "list for no hidden layer)");
        Require(Augmentation is not null, "has a null Augmentation; use Augmentation.None");
        Require(Encoder != EncoderKind.ResNet18 || Shape is not null,
            "uses a ResNet-18 encoder but declares no Shape; " +
            "set Shape to the image size its column holds (channels, frames, height, width)");
        Require(!Augmentation!.Enabled || Shape is not null, "asks for augmentation but declares no Shape; crops and flips need the " +
            "image size");
        Require(Normalization is null || Encoder == EncoderKind.ResNet18,
            "sets Normalization, which the ResNet-18 encoder applies; for an MLP encoder standardise the column in the pipeline (e.g. " +
                "NormalizeMeanVariance)");
        Augmentation.Validate(Name);
        Shape?.Validate();
        if (Shape is not null)
        {
            Normalization?.Validate(Shape, Name);
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> unless the declared <see cref="Shape"/> (if any) holds
    /// <paramref name="inputSize"/> values.</summary>
    /// <param name="inputSize">Flat input length of the modality in the data.</param>
    public void ValidateSize(int inputSize)
    {
        if (Shape is not null && Shape.Size != inputSize)
        {
            throw new ArgumentException(
                $"Modality '{Name}' declares {Shape} = {Shape.Size} values, but its column holds {inputSize}. " +
                "Fix the declared shape, or the resize/extract steps that build the column.");
        }
    }

    private void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"Modality '{Name}' {problem}.");
        }
    }
}
