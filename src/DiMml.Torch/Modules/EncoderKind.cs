namespace DiMml.Torch.Modules;

/// <summary>Architecture of a modality encoder.</summary>
public enum EncoderKind
{
    /// <summary><see cref="MlpEncoder"/> over the flat vector.</summary>
    Mlp,

    /// <summary><see cref="ResNet18Encoder"/> over a declared <see cref="ModalityShape"/>.</summary>
    ResNet18,
}
