"""The courier day's operations: stored plans and their re-plans, handing stops over, live ETAs,
manifests, the planning job and ``/routes``; drivers, their stops and the updates they send."""
