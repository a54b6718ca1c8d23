namespace DiMml.Torch.Calibration;

/// <summary>One step of the fusion choice: a candidate against the fusion kept so far, paired on the held-out rows.</summary>
/// <param name="Candidate">The candidate's name.</param>
/// <param name="Incumbent">The name of the fusion kept so far.</param>
/// <param name="Gain">Held-out accuracy of the candidate minus the incumbent's (a share, not points).</param>
/// <param name="StandardError">Standard error of that paired difference.</param>
/// <param name="Replaced">Whether the candidate replaced the incumbent (<see cref="Gain"/> &gt; <see cref="StandardError"/>).</param>
public sealed record FusionComparison(string Candidate, string Incumbent, double Gain, double StandardError, bool Replaced);
