"""Cases: shipment hypotheses built from events, screening hits and outside observations,
graded on the ICD 203 likelihood scale by written rules (``docs/cases.md``). Pure
functions on Arrow tables; the engine reads the store."""
