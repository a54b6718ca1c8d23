namespace DiMml.MLNet;

/// <summary>The network that encodes one modality.</summary>
public enum EncoderKind
{
    /// <summary>Multilayer perceptron over the flat vector (<see cref="ModalityOptions.HiddenSizes"/>).</summary>
    Mlp,
}
