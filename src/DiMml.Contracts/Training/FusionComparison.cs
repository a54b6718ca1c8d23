namespace DiMml;

/// <summary>One step of the fusion choice: a candidate against the paper's weighting, paired on the held-out rows.</summary>
/// <param name="Candidate">The candidate's name.</param>
/// <param name="Incumbent">The name of the fusion it is paired with (<c>paper-t1</c>).</param>
/// <param name="Gain">Held-out accuracy of the candidate minus the incumbent's (a share, not points).</param>
/// <param name="StandardError">Standard error of that paired difference.</param>
/// <param name="Replaced">Whether the candidate cleared the choice rule's bar against the incumbent (by default: <see cref="Gain"/>
/// above two <see cref="StandardError"/>s, three for a single branch). Of those that did, the one with the highest lower bound
/// is the choice.</param>
public sealed record FusionComparison(string Candidate, string Incumbent, double Gain, double StandardError, bool Replaced);
