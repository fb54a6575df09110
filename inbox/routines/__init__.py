"""The maker's day: ``day`` holds the routines the scheduler calls (collect, reply, status, plan,
digest); ``digest`` and ``digest_delivery`` build and send the digest, ``plan`` and ``ics`` lay out
the work and write the calendar."""
