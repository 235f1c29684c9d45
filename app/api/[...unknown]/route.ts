// Every /api path that no route of ours serves: 404 for every method, without reading the body.
//
// next-auth's own endpoints (/api/auth/session, csrf, providers, signin, signout, callback) used to be
// mounted here and read any body they were sent: a 160 MB POST to /api/auth/signout killed the server
// (issue 12 item 5). The app uses none of them: a session is minted by /api/insales/autologin
// (lib/auth/mint-session.ts), read with getServerSession (lib/auth/session.ts) and ended by a server
// action (lib/auth/sign-out-action.ts). Without this route an unknown /api path would fall through to the
// not-found page, where Next would try to decode a multipart POST as a server action.
export const dynamic = "force-dynamic";

function notFound(): Response {
  return Response.json({ error: "not_found" }, { status: 404, headers: { "Cache-Control": "no-store" } });
}

export const GET = notFound;
export const HEAD = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
export const OPTIONS = notFound;
