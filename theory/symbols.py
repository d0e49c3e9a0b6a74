"""The named quantities every statement is written in (SymPy symbols and functions).

Scalars of a distribution and predictor:
    KL        expected sampling error E_S KL(p || q_S) of the sampler with the instance's predictor
    KL_ideal  the same error for the optimal predictor (the true conditionals)
    eps_train the predictor's training error (defined in notes/00-overview.md; F1 makes it exact)
    MI, TC, DTC, H
Profile-indexed:
    h(m), delta(m), g(u), D(w)
Schedule quantities (for the schedule a statement is evaluated on):
    L, T, s_max, s[k], m[k], e[k] (k = 1..T), omega(u)
Schedule families:
    KL_ideal_refined  KL_ideal of a refinement of the schedule (F4, P2)
    KL_ideal_offset   E_r KL_ideal over S3's randomized-offset family with step s
    s                 the step of that family
Unmasking policies (statement A1, notes/A1.md), for the policy of the case:
    KL_policy      KL(p || q_pi) of the policy's output law
    TC_policy      E sum_k TC(X_{B_k} | X_{A_k} = x_{A_k}) along the data and the policy's reveal sets
    KL_policy_avg  the average over the policy's randomness r of KL(p || q_{pi,r})
"""

import sympy as sp

L = sp.Symbol("L", integer=True, positive=True)
T = sp.Symbol("T", integer=True, positive=True)
s_max = sp.Symbol("s_max", integer=True, positive=True)
s_step = sp.Symbol("s", integer=True, positive=True)

KL = sp.Symbol("KL", nonnegative=True)
KL_ideal = sp.Symbol("KL_ideal", nonnegative=True)
KL_ideal_refined = sp.Symbol("KL_ideal_refined", nonnegative=True)
KL_ideal_offset = sp.Symbol("KL_ideal_offset", nonnegative=True)
eps_train = sp.Symbol("eps_train", nonnegative=True)
MI = sp.Symbol("MI", nonnegative=True)
TC = sp.Symbol("TC", nonnegative=True)
DTC = sp.Symbol("DTC", nonnegative=True)
H = sp.Symbol("H", nonnegative=True)
KL_policy = sp.Symbol("KL_policy", nonnegative=True)
TC_policy = sp.Symbol("TC_policy", nonnegative=True)
KL_policy_avg = sp.Symbol("KL_policy_avg", nonnegative=True)
#: Atoms whose value depends on the case's policy (read by proofs_check.model.instance).
POLICY_ATOMS = (KL_policy, TC_policy, KL_policy_avg)

h = sp.Function("h")
delta = sp.Function("delta")
g = sp.Function("g")
D = sp.Function("D")
omega = sp.Function("omega")
c_s = sp.Function("c_s")  # S3's weights of g(u) for the randomized-offset family (definitions.C_S)

s = sp.IndexedBase("s")
m = sp.IndexedBase("m")
e = sp.IndexedBase("e")

k = sp.Symbol("k", integer=True)
u = sp.Symbol("u", integer=True)
j = sp.Symbol("j", integer=True)
i = sp.Symbol("i", integer=True)

#: Every name a user expression may use, mapped to its SymPy object.
NAMES = {
    "L": L, "T": T, "s_max": s_max, "s": s_step,
    "KL": KL, "KL_ideal": KL_ideal, "KL_ideal_offset": KL_ideal_offset, "eps_train": eps_train,
    "MI": MI, "TC": TC, "DTC": DTC, "H": H,
    "h": h, "delta": delta, "g": g, "D": D, "omega": omega, "c_s": c_s,
}

# -- Bernoulli unmasking and Wainwright (arXiv 2608.13520) ----------------------------------------
# Rational times 0 <= p < q <= 1 and reveal counts 0 <= a < b <= L (bound by a case's quantifier).
p_t = sp.Symbol("p", nonnegative=True)
q_t = sp.Symbol("q", nonnegative=True)
a_n = sp.Symbol("a", integer=True, nonnegative=True)
b_n = sp.Symbol("b", integer=True, nonnegative=True)
TSE = sp.Symbol("TSE", nonnegative=True)  # total sum of excesses: sum_{k=1}^{L} (h(k) - (k/L) h(L))
c_step = sp.Function("c")        # c(a, b): cost of revealing tokens a+1..b in one step
Gamma = sp.Function("Gamma")     # Gamma(p, q) = E c(M_p, M_q): one Bernoulli step from time p to q
Gamma_int = sp.Function("Gamma_int")  # the same as int_p^q (q - x) h_B'(x) dx (checked equal)
h_B = sp.Function("h_B")         # Bernoulli gain h_B(t)
H_ugc = sp.Function("H_ugc")     # unmasking growth complexity H(p, q) = int_p^q t(1-t) h_B'(t) dt
Hc = sp.Function("Hc")           # card-UGC Hc(a, b) = sum_{j=a+1}^{b-1} j(L-j)/L g(j-1)
D_B = sp.Function("D_B")         # Wainwright's D(p, q) = (q - p)(h_B(q) - h_B(p))
W_dyadic = sp.Function("W_dyadic")  # sum_j D(v_j, v_{j+1}) over the reveal-odds-dyadic partition of [p, q]
# Wainwright's Corollary 1 (eq. 21): the geometric grid of N steps between 1/L and 1 - 1/L.
N_w = sp.Symbol("N", integer=True, positive=True)
lam_w = sp.Symbol("lambda", positive=True)  # a certified rational lower bound of ln(L-1), bound by the case
W_geo = sp.Function("W_geo")     # W_geo(N) = sum_{j<N} Gamma(t_j, t_{j+1}), psi(t_{j+1}) = (L-1)^(2/N) psi(t_j)

# (not in NAMES: user expressions keep the one-argument profile functions of Li & Cai's setting)
