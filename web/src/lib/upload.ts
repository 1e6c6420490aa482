import { ApiError, request } from '../api';

interface DirectTicket {
  upload: { provider: 's3' | 'cloudinary'; key: string; url: string; fields: Record<string, string> };
}

/**
 * A profile photo: straight to the storage provider when it takes direct uploads (S3
 * presigned POST, Cloudinary signed form), then confirmed; through the API otherwise.
 */
export async function uploadProfilePhoto<T>(file: File, target: 'avatar' | 'gallery'): Promise<T> {
  let ticket: DirectTicket | null = null;
  try {
    ticket = await request<DirectTicket>('/users/me/photos/uploads', {
      method: 'POST',
      body: { contentType: file.type, size: file.size },
    });
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'DIRECT_UPLOAD_UNAVAILABLE')) throw err;
  }
  if (!ticket) {
    const form = new FormData();
    form.append('photo', file);
    return request<T>('/users/me/photos', { method: 'POST', body: form, query: { target } });
  }
  const form = new FormData();
  for (const [key, value] of Object.entries(ticket.upload.fields)) form.append(key, value);
  form.append('file', file);
  const stored = await fetch(ticket.upload.url, { method: 'POST', body: form });
  if (!stored.ok) throw new Error(`The storage refused the upload (${stored.status})`);
  return request<T>('/users/me/photos/uploads/confirm', { method: 'POST', body: { key: ticket.upload.key, target } });
}
