using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Modules;

/// <summary>
/// The modules DI-MML and its baselines train: one encoder and one modality head <c>h_m</c> per
/// modality, a shared head <c>g</c> applied to every modality's features, and an optional fusion head
/// <c>q</c> over all of them. The network holds parameters only; the training procedures decide
/// which parts receive which loss.
/// </summary>
public sealed class MultimodalNetwork : nn.Module
{
    private readonly ModuleList<ModalityEncoder> encoders;
    private readonly ModuleList<Linear> modalityHeads;
    private readonly Linear sharedHead;
    private readonly FusionHead? fusionHead;

    /// <summary>Creates the network; all encoders must share one embedding size.</summary>
    /// <param name="encoders">One encoder per modality, in modality order (at least one).</param>
    /// <param name="classCount">Number of classes C (at least 2).</param>
    /// <param name="fusion">Kind of fusion head, or <see cref="FusionHeadKind.None"/> for none.</param>
    /// <param name="seed">Seed of the generator that initialises every linear and convolution layer.</param>
    public MultimodalNetwork(IReadOnlyList<ModalityEncoder> encoders, int classCount, FusionHeadKind fusion, long seed)
        : base("multimodal_network")
    {
        ArgumentNullException.ThrowIfNull(encoders);
        if (encoders.Count == 0)
        {
            throw new ArgumentException("At least one modality encoder is needed.", nameof(encoders));
        }

        if (classCount < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "At least 2 classes are needed.");
        }

        var sizes = encoders.Select(e => e.EmbeddingSize).Distinct().ToArray();
        if (sizes.Length != 1)
        {
            throw new ArgumentException(
                $"All encoders must produce the same embedding size (the shared head and DUC need one space); got " +
                    $"{string.Join(", ", sizes)}.",
                nameof(encoders));
        }

        EmbeddingSize = sizes[0];
        ClassCount = classCount;
        this.encoders = nn.ModuleList(encoders.ToArray());
        modalityHeads = nn.ModuleList(encoders.Select(_ => nn.Linear(EmbeddingSize, classCount)).ToArray());
        sharedHead = nn.Linear(EmbeddingSize, classCount);
        fusionHead = fusion == FusionHeadKind.None ? null : FusionHead.Create(fusion, encoders.Count, EmbeddingSize, classCount);
        RegisterComponents();

        using var generator = new Generator((ulong)seed);
        ParameterInit.All(this, generator);
    }

    /// <summary>Number of modalities N.</summary>
    public int ModalityCount => encoders.Count;

    /// <summary>Number of classes C.</summary>
    public int ClassCount { get; }

    /// <summary>Feature size D shared by all encoders.</summary>
    public int EmbeddingSize { get; }

    /// <summary>The encoders φ_m, in modality order.</summary>
    public IReadOnlyList<ModalityEncoder> Encoders => encoders.AsReadOnly();

    /// <summary>The modality heads h_m: <c>Linear(D → C)</c>, in modality order.</summary>
    public IReadOnlyList<Linear> ModalityHeads => modalityHeads.AsReadOnly();

    /// <summary>The shared head g: one <c>Linear(D → C)</c> applied to every modality (a training-time regulariser).</summary>
    public Linear SharedHead => sharedHead;

    /// <summary>The fusion head q, or null when the network was built without one.</summary>
    public FusionHead? FusionHead => fusionHead;

    /// <summary>Encodes each modality's input batch; returns one <c>[B, D]</c> feature tensor per modality.</summary>
    /// <param name="inputs">One input batch per modality, in modality order.</param>
    public Tensor[] Encode(IReadOnlyList<Tensor> inputs)
    {
        CheckCount(inputs, nameof(inputs));
        return inputs.Select((x, m) => encoders[m].forward(x)).ToArray();
    }

    /// <summary>Applies each modality head h_m to its modality's features.</summary>
    /// <param name="features">One <c>[B, D]</c> feature tensor per modality.</param>
    public Tensor[] ModalityLogits(IReadOnlyList<Tensor> features)
    {
        CheckCount(features, nameof(features));
        return features.Select((f, m) => modalityHeads[m].forward(f)).ToArray();
    }

    /// <summary>Applies the shared head g to every modality's features.</summary>
    /// <param name="features">One <c>[B, D]</c> feature tensor per modality.</param>
    public Tensor[] SharedLogits(IReadOnlyList<Tensor> features) => features.Select(sharedHead.forward).ToArray();

    /// <summary>Applies the fusion head q to all modalities' features.</summary>
    /// <param name="features">One <c>[B, D]</c> feature tensor per modality.</param>
    /// <exception cref="InvalidOperationException">The network has no fusion head.</exception>
    public Tensor FusionLogits(IReadOnlyList<Tensor> features) =>
        (fusionHead ?? throw new InvalidOperationException("This network was built without a fusion head.")).forward(features);

    /// <summary>Sets <c>requires_grad</c> on every encoder parameter (false freezes the encoders for stage 2).</summary>
    /// <param name="trainable">Whether the encoders receive gradients.</param>
    public void SetEncodersTrainable(bool trainable)
    {
        foreach (var parameter in encoders.parameters())
        {
            parameter.requires_grad = trainable;
        }
    }

    private void CheckCount(IReadOnlyList<Tensor> tensors, string name)
    {
        if (tensors.Count != ModalityCount)
        {
            throw new ArgumentException($"Expected {ModalityCount} tensors (one per modality), got {tensors.Count}.", name);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            encoders.Dispose();
            modalityHeads.Dispose();
            sharedHead.Dispose();
            fusionHead?.Dispose();
        }

        base.Dispose(disposing);
    }
}
